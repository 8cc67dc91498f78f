"""A team page in a browser: the tasting team's members, leader and scores, and a
team message sent from the console. Its screenshot is the README's (docs/screenshots)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from core.tastings.services import record_score, start_tasting
from core.teams.models import TeamKind
from core.teams.services import add_member, set_leader
from tests.e2e.conftest import ADMIN, Live, screenshot


def a_tasting_team_that_scored_the_eggs(live: Live) -> None:
    world = live.world
    core, community_id = world.core, world.community_id
    members = [
        world.resident("黄秀兰", phone="+8613800138008", building="3", unit="2", room="401"),
        world.resident("周玉梅", phone="+8613800138009", building="3", unit="2", room="502"),
        world.resident("王芳", phone="+8613800138001", building="1", unit="1", room="101"),
    ]
    for member in members:
        add_member(core, community_id=community_id, team=TeamKind.TASTING,
                   resident_id=member.id, by="e2e")  # fmt: skip
    set_leader(core, community_id=community_id, team=TeamKind.TASTING,
               resident_id=members[0].id, by="e2e")  # fmt: skip
    eggs = world.deal("高邑柴鸡蛋30枚", price_fen=3600, unit="盒", open_now=False)
    start_tasting(core, community_id=community_id, deal_id=eggs.id,
                  resident_ids=[m.id for m in members], by="e2e")  # fmt: skip
    for member, score, words in zip(members, (5, 4), ("蛋黄很红，很新鲜", "不错，个头小了点"),
                                    strict=False):  # fmt: skip
        record_score(core, community_id=community_id, phone=member.phone, score=score,
                     words=words, key=f"e2e-{member.id}")  # fmt: skip


def test_the_tasting_team_page(page: Page, live: Live) -> None:
    a_tasting_team_that_scored_the_eggs(live)
    page.goto(f"{live.base_url}/staff/")
    page.fill("#username", ADMIN[0])
    page.fill("#password", ADMIN[1])
    page.click("button[type=submit]")
    page.click("nav.main >> text=居民团队")
    expect(page.locator("#team-tasting")).to_contain_text("黄秀兰")
    page.click("#team-tasting >> text=打开")
    expect(page.locator("h1")).to_contain_text("产品质量试吃团")
    expect(page.locator("#members")).to_contain_text("团长: 黄秀兰")
    expect(page.locator("#tastings")).to_contain_text("2/3人打分，平均4.5分")
    expect(page.locator("#tastings")).to_contain_text("蛋黄很红，很新鲜")

    page.fill("textarea[name=body]", "周六上午9点在服务站领新一批小米样品，请按时来。")
    page.click("#messages button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("已写好3条短信")
    expect(page.locator("#messages")).to_contain_text("3人 · 0条回复")
    screenshot(page, "team", publish=True)

    # The admin gives the leader her own login; with it she sees her team and texts it.
    page.fill("#leader-username", "huangxiulan")
    page.fill("#leader-password", "leader-password-1")
    page.click("#leader-login button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("已给黄秀兰开通后台账号huangxiulan")
    page.click("header >> text=退出")
    page.fill("#username", "huangxiulan")
    page.fill("#password", "leader-password-1")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("产品质量试吃团")
    expect(page.locator("nav.main")).to_have_count(0)
    expect(page.locator("#members")).to_contain_text("周玉梅")
    page.fill("textarea[name=body]", "谢谢大家打分！下周尝井陉小米。")
    page.click("#messages button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("已写好3条短信")
    expect(page.locator("#messages")).to_contain_text("huangxiulan")
    screenshot(page, "team-leader", publish=True)
