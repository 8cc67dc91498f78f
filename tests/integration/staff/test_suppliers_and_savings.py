"""The console's supplier directory, market prices and savings pages."""

from __future__ import annotations

import re

from core.orders.models import Channel
from core.orders.services import place_order
from core.prices.membership import add_survey_member
from core.prices.services import PriceSeen, record_price_by_text


def _surveyed(app_world):  # type: ignore[no-untyped-def]
    """Pears at 35 against three surveyed prices (median 58), and two residents' orders."""
    deal = app_world.deal("赵县雪花梨", price_fen=3500, market_price_fen=None)
    surveyor = app_world.resident("李秀英")
    with app_world.core.db.transaction() as session:
        add_survey_member(session, community_id=app_world.community_id, resident_id=surveyor.id)
    for key, place, fen in [
        ("SM1", "北国超市", 6000),
        ("SM2", "菜市场", 5600),
        ("SM3", "超市", 5800),
    ]:
        record_price_by_text(
            app_world.core, community_id=app_world.community_id, phone=surveyor.phone,
            seen=PriceSeen("梨", place, fen), key=key,
        )  # fmt: skip
    for name, quantity in [("王芳", 2), ("刘桂兰", 1)]:
        place_order(
            app_world.core, community_id=app_world.community_id,
            phone=app_world.resident(name).phone, deal_number=deal.number, quantity=quantity,
            channel=Channel.SMS,
        )  # fmt: skip
    return deal


def test_staff_add_a_supplier_and_record_a_visit(admin) -> None:  # type: ignore[no-untyped-def]
    added = admin.post(
        "/staff/suppliers",
        {"name": "井陉小米基地", "kind": "farm_base", "county": "井陉", "products": "小米"},
        form_on="/staff/suppliers",
    )
    assert added.status_code == 302
    page_path = added.headers["Location"]
    visit = admin.post(
        f"{page_path}/visits",
        {"visited_on": "2026-11-20", "visitors": "张伟、黄秀兰", "findings": "谷子晾晒干净",
         "verdict": "recommend", "next_due": "2027-05-20"},
        form_on=page_path,
    )  # fmt: skip
    assert visit.status_code == 302
    page = admin.page(page_path)
    assert "张伟、黄秀兰" in page and "谷子晾晒干净" in page and "2027-05-20" in page
    listing = admin.page("/staff/suppliers")
    assert "井陉小米基地" in listing and "2026-11-20 · 推荐" in listing


def test_bad_supplier_and_visit_input_get_a_polite_400(admin) -> None:  # type: ignore[no-untyped-def]
    empty = admin.post("/staff/suppliers", {"name": " ", "kind": "farm_base"})
    assert empty.status_code == 422 and "请填写供应商名称" in empty.get_data(as_text=True)
    added = admin.post("/staff/suppliers", {"name": "鲁花", "kind": "brand"})
    path = added.headers["Location"]
    for form, says in [
        ({"visited_on": "昨天", "visitors": "张伟", "verdict": "no"}, "日期请写成"),
        ({"visited_on": "2026-11-20", "visitors": "", "verdict": "no"}, "请写上参加考察的人"),
        ({"visited_on": "2026-11-20", "visitors": "张伟", "verdict": "maybe"}, "请选择结论"),
        ({"visited_on": "2026-11-20", "visitors": "张伟", "verdict": "no",
          "next_due": "2026-01-01"}, "不能早于"),
    ]:  # fmt: skip
        response = admin.post(f"{path}/visits", form)
        assert response.status_code == 422, form
        assert says in response.get_data(as_text=True)
    assert admin.get("/staff/suppliers/99999").status_code == 404


def test_the_market_price_shows_its_sources_and_staff_can_override_it(admin, app_world) -> None:  # type: ignore[no-untyped-def]
    deal = _surveyed(app_world)
    page = admin.page("/staff/prices")
    card = page[page.index(f'id="market-{deal.number}"') :]
    assert "市场价：58元" in card and "近30天3条调查价格的中位数" in card
    assert "北国超市 60元" in card and "菜市场 56元" in card

    missing_note = admin.post(f"/staff/prices/deals/{deal.id}", {"price": "55"})
    assert missing_note.status_code == 422
    done = admin.post(f"/staff/prices/deals/{deal.id}", {"price": "55", "note": "礼盒装按散装算"})
    assert done.status_code == 302
    card = admin.page("/staff/prices")
    assert "市场价：55元" in card and "admin手动填写：礼盒装按散装算" in card
    assert admin.post("/staff/prices/deals/99999", {"price": "5", "note": "x"}).status_code == 404


def test_staff_record_a_price_in_the_console(admin, app_world) -> None:  # type: ignore[no-untyped-def]
    app_world.deal("井陉小米5斤", unit="袋", price_fen=2800, market_price_fen=None)
    recorded = admin.post(
        "/staff/prices",
        {"product": "小米", "place": "菜市场", "price": "32", "amount": "5斤",
         "observed_on": "2026-11-22"},
    )  # fmt: skip
    assert recorded.status_code == 302
    page = admin.page("/staff/prices")
    assert "市场价：32元" in page
    bad = admin.post("/staff/prices", {"product": "小米", "place": "x", "price": "三十",
                                       "observed_on": "2026-11-25"})  # fmt: skip
    assert bad.status_code == 422
    future = admin.post("/staff/prices", {"product": "小米", "place": "x", "price": "30",
                                          "observed_on": "2027-11-22"})  # fmt: skip
    assert future.status_code == 422 and "不能晚于今天" in future.get_data(as_text=True)


def test_savings_page_plot_and_the_printable_month(admin, app_world) -> None:  # type: ignore[no-untyped-def]
    _surveyed(app_world)
    page = admin.page("/staff/savings")
    assert 'id="month-saved">69元<' in page  # 3 boxes × (58 − 35)
    assert "<svg" in page and len(re.findall(r"<rect ", page)) == 6
    assert "王芳" in page and "46元" in page

    printed = admin.page("/staff/savings/print")
    assert "居民本月共节省69元，2位居民参加，平均每位节省34.5元。" in printed
    assert "北国超市 60元" in printed  # the evidence
    assert admin.get("/staff/savings?month=2026-13").status_code == 404
    assert admin.get("/staff/savings?month=abc").status_code == 404
    assert "这个月还没有节省记录" in admin.page("/staff/savings?month=2026-01")

    assert "<svg" in admin.page("/staff/")  # the dashboard shows the plot too


def test_a_supplier_page_shows_its_residents_scores_and_complaint_rate(admin, app_world) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from core.books.quality import report_problem_by_phone
    from core.community.models import Supplier
    from core.deals.services import DealSpec, create_deal
    from core.orders.services import mark_picked_up
    from core.tastings.services import ask_after_pickup, record_score

    world = app_world
    pears = create_deal(
        world.core,
        community_id=world.community_id,
        spec=DealSpec(
            title_zh="赵县雪花梨", unit="箱", price_fen=3500, market_price_fen=5800,
            min_units=1, closes_at=world.local(3, 20), pickup_start=world.local(5, 9),
            pickup_end=world.local(5, 11), supplier_name="赵县梨园合作社",
        ),
        open_now=True,
    )  # fmt: skip
    buyers = [world.resident(name) for name in ("王芳", "李秀英", "刘桂兰")]
    for who in buyers:
        placed = place_order(world.core, community_id=world.community_id, phone=who.phone,
                             deal_number=pears.number, quantity=1, channel=Channel.SMS)  # fmt: skip
        mark_picked_up(world.core, order_id=placed.order.id, by="desk")
    admin.post("/staff/announcements/pickup-question", {"on": "1"})
    assert ask_after_pickup(world.core) == 3
    for who, score in ((buyers[0], 5), (buyers[1], 2)):
        record_score(world.core, community_id=world.community_id, phone=who.phone, score=score,
                     words="", key=f"SM-score-{who.id}")  # fmt: skip
    report_problem_by_phone(world.core, community_id=world.community_id, phone=buyers[1].phone)
    with world.core.db.transaction() as session:
        supplier_id = session.scalar(select(Supplier.id).where(Supplier.name == "赵县梨园合作社"))
    page = admin.page(f"/staff/suppliers/{supplier_id}")
    rating = re.search(r'id="supplier-rating">([^<]*)<', page)
    complaints = re.search(r'id="supplier-complaints">([^<]*)<', page)
    assert rating and rating.group(1) == "3.5（2）"  # two of three scored: 5 and 2
    assert complaints and complaints.group(1) == "1/3（33%）"
    assert "居民评分" in page and "投诉率" in page
    listed = admin.page("/staff/suppliers")  # the directory compares them at a glance
    row = listed[listed.index("赵县梨园合作社") :].split("</tr>")[0]
    assert "3.5（2）" in row and "33%" in row


def test_a_deals_market_price_page_is_named_by_its_id_and_kept_after_it_ends(  # type: ignore[no-untyped-def]
    admin, app_world
) -> None:
    from datetime import timedelta

    from core.deals.editing import call_off_deal
    from core.deals.pickup_over import fulfil_deal
    from core.deals.services import close_deal

    placeholder = app_world.deal("占位")
    call_off_deal(
        app_world.core, community_id=app_world.community_id, by="t", deal_id=placeholder.id
    )
    deal = _surveyed(app_world)  # takes the freed number 1: its number and id differ
    assert deal.number != deal.id
    page = f"/staff/prices/deals/{deal.id}"
    assert page in admin.page("/staff/prices") and page in admin.page(f"/staff/deals/{deal.id}")
    shown = admin.page(page)
    assert "市场价：58元" in shown and "北国超市 60元" in shown and 'name="note"' in shown
    done = admin.post(page, {"price": "55", "note": "礼盒装按散装算", "back": "deal"})
    assert done.status_code == 302 and done.headers["Location"].endswith(page)
    assert "市场价：55元" in admin.page(page)

    close_deal(app_world.core, community_id=app_world.community_id, number=deal.number)
    app_world.clock.set(deal.pickup_start + timedelta(minutes=1))
    fulfil_deal(app_world.core, community_id=app_world.community_id, deal_id=deal.id)
    kept = admin.page(page)
    assert "市场价：55元" in kept and 'id="market-kept"' in kept and 'name="note"' not in kept
    late = admin.post(page, {"price": "50", "note": "x", "back": "deal"})
    assert late.status_code == 422 and "已经结束" in late.get_data(as_text=True)
    assert "市场价：55元" in admin.page(page)
    assert admin.get(f"/staff/prices/deals/{placeholder.id}").status_code == 200  # called off
    assert admin.get("/staff/prices/deals/99999").status_code == 404
