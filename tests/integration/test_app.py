"""The app factory and GET /healthz."""

from __future__ import annotations

from pathlib import Path

from app import create_app
from core.settings import load_settings


def make_app(database_url: str, redis_url: str, spool_dir: Path):  # type: ignore[no-untyped-def]
    return create_app(
        load_settings(
            {
                "DATABASE_URL": database_url,
                "REDIS_URL": redis_url,
                "MIANHUA_ENV": "test",
                "SPOOL_DIR": str(spool_dir),
            }
        )
    )


def test_healthz_reports_each_part(sqlite_url, redis_url, spool_dir):
    response = make_app(sqlite_url, redis_url, spool_dir).test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {
        "db": "ok",
        "redis": "ok",
        "spool": "ok",
        "spool_depth": 0,
        "spool_oldest": None,
        "spool_set_aside": 0,
    }


def test_healthz_names_what_is_down(sqlite_url, spool_dir):
    dead_redis = "redis://127.0.0.1:1/0"
    response = make_app(sqlite_url, dead_redis, spool_dir).test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["db"] == "ok" and body["redis"].startswith("down")


def test_one_accessor_answers_the_apps_root_inside_it_and_the_installed_one_outside(
    sqlite_url, redis_url, spool_dir
):
    from bootstrap import bootstrap, installed, mianhua

    app = make_app(sqlite_url, redis_url, spool_dir)
    worker_root = bootstrap(app.extensions["mianhua"].settings)
    try:
        with installed(worker_root):
            assert mianhua() is worker_root  # a worker, a command: no app in sight
            with app.app_context():
                assert mianhua() is app.extensions["mianhua"]
            with app.test_request_context("/healthz"):
                assert mianhua() is app.extensions["mianhua"]
            assert mianhua() is worker_root
    finally:
        worker_root.close()
        app.extensions["mianhua"].close()
