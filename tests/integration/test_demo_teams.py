"""`demo seed` brings the residents' teams: what a newcomer's `./scripts/run` shows."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.accounts.acting import Actor
from core.accounts.models import StaffUser
from core.community.models import Supplier
from core.suppliers.figures import supplier_figures
from core.teams.access import my_teams
from core.teams.models import TeamKind
from core.teams.queries import team_page
from tests.integration.test_cli import app, run

__all__ = ["app", "run"]


@pytest.mark.slow  # seeds the whole demo and opens its pages: about 5 s
def test_the_demo_has_four_led_teams_a_scored_tasting_and_a_leader_s_login(run, app) -> None:  # type: ignore[no-untyped-def]
    assert run("db", "upgrade").exit_code == 0
    seeded = run("demo", "seed")
    assert "4 teams, a tasting of 高邑柴鸡蛋30枚 with 3 scores, leader login huangxiulan" in (
        seeded.output
    ), seeded.output
    core = app.extensions["mianhua"].core
    with core.db.transaction() as session:
        admin_id = session.scalar(select(StaffUser.id).where(StaffUser.username == "admin"))
        leader_id = session.scalar(select(StaffUser.id).where(StaffUser.username == "huangxiulan"))
    admin = Actor(admin_id, "admin", 1)
    for kind in TeamKind:
        page = team_page(core, actor=admin, team=kind)
        assert len(page.members) >= 3 and page.leader is not None, kind
    tasting = team_page(core, actor=admin, team=TeamKind.TASTING)
    [eggs] = tasting.tastings
    assert (eggs.sample.asked, eggs.sample.scored) == (4, 3)
    assert tasting.leader_login == "huangxiulan"
    assert team_page(core, actor=admin, team=TeamKind.PRICE_SURVEY).surveys == 120
    assert team_page(core, actor=admin, team=TeamKind.FARM_INSPECTION).visits == 2
    assert team_page(core, actor=admin, team=TeamKind.BARGAINING).bargains
    assert my_teams(core, actor=Actor(leader_id, "huangxiulan", 1)) == [TeamKind.TASTING]
    with core.db.transaction() as session:  # the eggs' scores are the directory's farm's
        gaoyi = session.scalars(select(Supplier).where(Supplier.county == "高邑")).one()
        figures = supplier_figures(session, supplier_id=gaoyi.id)
    assert gaoyi.name == "高邑鸡蛋养殖场" and figures.rating and figures.rating.scored == 3
    pages_open(app)


def pages_open(app) -> None:  # type: ignore[no-untyped-def]
    """The demo's team, supplier and savings pages, as its admin and its leader see them."""
    from tests.integration.staff.conftest import Console

    core = app.extensions["mianhua"].core
    with core.db.transaction() as session:
        suppliers = dict(session.execute(select(Supplier.name, Supplier.id)).all())
    admin = Console(app.test_client())
    assert admin.login("admin", "mianhua-demo").status_code == 302
    tasting = admin.page("/staff/teams/tasting")
    assert "蛋黄很红，很新鲜" in tasting and "huangxiulan" in tasting
    assert "原价42元，谈到35元" in admin.page("/staff/teams/bargaining")
    for kind in ("price_survey", "farm_inspection"):
        admin.page(f"/staff/teams/{kind}")
    assert "井陉小米基地" in admin.page("/staff/suppliers")
    gaoyi = admin.page(f"/staff/suppliers/{suppliers['高邑鸡蛋养殖场']}")
    assert 'id="supplier-rating">4.3（3）<' in gaoyi
    assert "推荐" in admin.page(f"/staff/suppliers/{suppliers['井陉小米基地']}")
    assert "<svg" in admin.page("/staff/savings")
    assert "居民本月共节省" in admin.page("/staff/savings/print")
    assert "北国超市" in admin.page("/staff/prices")
    leader = Console(app.test_client())
    assert leader.login("huangxiulan", "mianhua-demo").status_code == 302
    landed = leader.get("/staff/my-team")
    assert landed.location.endswith("/staff/teams/tasting")
