"""`community create|update --sms-provider/--voice-provider` and `templates voice`."""

from __future__ import annotations

from sqlalchemy import select

from core.community.models import Community
from tests.integration.test_cli import app, community, run  # noqa: F401  (the CLI tests' fixtures)


def chosen(app) -> tuple[str | None, str | None]:  # type: ignore[no-untyped-def]  # noqa: F811
    with app.extensions["mianhua"].core.db.transaction() as session:
        row = session.scalars(select(Community)).one()
        return row.sms_provider, row.voice_provider


def test_a_community_is_created_on_aliyun_and_its_calls_moved_to_tencent(run, app):  # type: ignore[no-untyped-def]  # noqa: F811
    assert run("db", "upgrade").exit_code == 0
    made = run(
        "community", "create", "--name", "幸福里", "--phone", "+8631188886666",
        "--sms-provider", "aliyun",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "texts: aliyun; reminder calls: aliyun (as its texts)" in made.output
    assert chosen(app) == ("aliyun", None)
    moved = run("community", "update", "--phone", "+8631188886666", "--voice-provider", "tencent")
    assert moved.exit_code == 0 and chosen(app) == ("aliyun", "tencent")
    back = run("community", "update", "--phone", "+8631188886666", "--sms-provider", "default")
    assert "texts: default (SMS_SENDER); reminder calls: tencent" in back.output
    assert chosen(app) == (None, "tencent")


def test_a_provider_that_does_not_exist_is_refused_and_nothing_is_made(run, app):  # type: ignore[no-untyped-def]  # noqa: F811
    assert run("db", "upgrade").exit_code == 0
    bad = run(
        "community", "create", "--name", "幸福里", "--phone", "+8631188886666",
        "--sms-provider", "wechat",
    )  # fmt: skip
    assert bad.exit_code != 0 and "twilio, aliyun, tencent, console" in bad.output
    with app.extensions["mianhua"].core.db.transaction() as session:
        assert session.scalars(select(Community)).all() == []


def test_update_changes_only_what_is_named(run, app, community):  # type: ignore[no-untyped-def]  # noqa: F811
    done = run("community", "update", "--phone", "+8631188886666", "--pickup-place", "东门岗亭")
    assert done.exit_code == 0, done.output
    with app.extensions["mianhua"].core.db.transaction() as session:
        row = session.scalars(select(Community)).one()
        assert (row.pickup_place, row.name, row.sms_provider) == ("东门岗亭", "幸福里", None)
    nobody = run("community", "update", "--phone", "+8631100000000", "--name", "x")
    assert nobody.exit_code != 0 and "no community" in nobody.output


def test_a_tts_template_is_filed_shown_and_checked(run, community):  # type: ignore[no-untyped-def]  # noqa: F811
    filed = run(
        "templates", "voice", "--provider", "aliyun", "--code", "TTS_300",
        "--text", "${community}提醒您：${content}",
        "--variable", "community", "--variable", "content",
    )  # fmt: skip
    assert filed.exit_code == 0 and filed.output.strip() == "aliyun voice: TTS_300"
    shown = run("templates", "voice", "--provider", "aliyun")
    assert shown.output.strip() == "aliyun\tvoice\tTTS_300\tcommunity,content"
    none = run("templates", "voice", "--provider", "tencent")
    assert "(no TTS template)" in none.output
    bad = run("templates", "voice", "--provider", "aliyun", "--code", "TTS 1", "--variable", "x")
    assert bad.exit_code != 0 and "template_code" in bad.output


def test_the_push_urls_include_the_call_report(run, community):  # type: ignore[no-untyped-def]  # noqa: F811
    made = run("templates", "signature", "--provider", "tencent", "--sign-name", "幸福里社区")
    [call_report] = [line for line in made.output.splitlines() if line.startswith("call report")]
    assert "/voice/tencent/report?key=" in call_report
