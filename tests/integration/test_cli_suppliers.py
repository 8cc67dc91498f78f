"""`suppliers list|add`, as an operator types them."""

from __future__ import annotations

import pytest

from tests.integration.test_cli import app, community, run

__all__ = ["app", "community", "run"]


def test_suppliers_add_then_list(run, community) -> None:  # type: ignore[no-untyped-def]
    assert run("suppliers", "list").output.strip() == "no suppliers"
    added = run(
        "suppliers", "add", "正定蔬菜基地", "--county", "正定",
        "--contact", "赵师傅 13900000001", "--products", "白菜、萝卜",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "added supplier 正定蔬菜基地" in added.output
    assert (
        run("suppliers", "add", "鲁花", "--kind", "brand", "--community", community).exit_code == 0
    )

    listed = run("suppliers", "list", "--community", community)
    assert listed.exit_code == 0
    lines = listed.output.strip().splitlines()
    assert lines[0].split("\t")[:4] == ["鲁花", "brand", "-", "-"]
    assert lines[1].split("\t")[:5] == [
        "正定蔬菜基地",
        "farm_base",
        "正定",
        "白菜、萝卜",
        "赵师傅 13900000001",
    ]
    assert lines[1].endswith("0 deals\tnot visited")


def test_suppliers_add_refuses_a_duplicate_and_a_bad_kind(run, community) -> None:  # type: ignore[no-untyped-def]
    assert run("suppliers", "add", "鲁花", "--kind", "brand").exit_code == 0
    again = run("suppliers", "add", "鲁花")
    assert again.exit_code != 0 and "listed already" in again.output
    assert run("suppliers", "add", "某某", "--kind", "farm").exit_code != 0
    assert run("suppliers", "add", " ").exit_code != 0


@pytest.mark.slow  # the whole demo seeded, about 3 s
def test_the_demo_has_suppliers_visits_and_a_month_of_prices(run, app) -> None:  # type: ignore[no-untyped-def]
    from core.prices.market import PriceSource
    from core.prices.queries import deal_market_prices, recent_observations

    assert run("db", "upgrade").exit_code == 0
    seeded = run("demo", "seed")
    assert "7 suppliers, 120 surveyed prices" in seeded.output, seeded.output
    listed = run("suppliers", "list").output
    assert "井陉小米基地\tfarm_base\t井陉" in listed and "recommend" in listed
    assert "正定蔬菜基地" in listed and "with_conditions" in listed
    assert "高邑鸡蛋养殖场\tfarm_base\t高邑" in listed

    core = app.extensions["mianhua"].core
    community_id = 1
    places = {o.place for o in recent_observations(core, community_id=community_id)}
    assert places == {"北国超市", "裕华路菜市场"}
    prices = {d.title_zh: mp for d, mp in deal_market_prices(core, community_id=community_id)}
    typed = [t for t, mp in prices.items() if mp.source == PriceSource.TYPED]
    assert typed == [], typed
    assert prices["鲁花花生油5L"].source == PriceSource.OVERRIDE
    pears = prices["赵县雪花梨"]
    assert pears.source == PriceSource.SURVEY and len(pears.sources) == 20
    assert 5500 <= pears.price_fen <= 6200
