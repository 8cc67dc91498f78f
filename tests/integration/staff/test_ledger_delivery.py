"""A deal's books after its delivery is recorded: the page says what came and how it was
shared, in place of a form that could only be refused, before and after pickup is over."""

from __future__ import annotations

import re

from core.books.models import ShareRule
from core.books.shortfall import apply_shortfall
from core.deals.pickup_over import fulfil_deal
from tests.integration.staff.test_books import _ordered_by_text


def test_the_recorded_delivery_replaces_the_form_and_stays_after_pickup(app, staff, app_world):  # type: ignore[no-untyped-def]
    _, deal, _ = _ordered_by_text(app, app_world, 3, 3, 2)
    ledger = f"/staff/deals/{deal.id}/ledger"
    assert 'id="preview-shortfall"' in staff.page(ledger)
    apply_shortfall(
        app_world.core,
        community_id=app_world.community_id,
        deal_id=deal.id,
        delivered=6,
        rule=ShareRule.PRO_RATA,
        by="李会计",
    )

    page = staff.page(ledger)
    assert "到货已记下：订了8份，到了6份（李会计，" in page
    assert "少的部分按“按比例（整份）”分给了各户。" in page
    assert 'id="preview-shortfall"' not in page

    app_world.clock.set(deal.pickup_start)
    fulfil_deal(app_world.core, community_id=app_world.community_id, deal_id=deal.id)
    assert "到货已记下：订了8份，到了6份" in staff.page(ledger)


def test_a_full_delivery_is_recorded_without_a_rule(app, staff, app_world):  # type: ignore[no-untyped-def]
    _, deal, _ = _ordered_by_text(app, app_world, 2)
    apply_shortfall(
        app_world.core,
        community_id=app_world.community_id,
        deal_id=deal.id,
        delivered=2,
        rule=ShareRule.FIRST_COME,
        by="李会计",
    )
    page = staff.page(f"/staff/deals/{deal.id}/ledger")
    assert "到货已记下：订了2份，到了2份" in page and "少的部分" not in page


def test_the_books_own_notes_and_the_rooms_read_as_staff_write_them(app, staff, app_world):  # type: ignore[no-untyped-def]
    _, deal, people = _ordered_by_text(app, app_world, 3, 3, 2)
    apply_shortfall(
        app_world.core,
        community_id=app_world.community_id,
        deal_id=deal.id,
        delivered=6,
        rule=ShareRule.PRO_RATA,
        by="李会计",
    )
    page = staff.page(f"/staff/deals/{deal.id}/ledger")
    assert re.search(r"到货少了：3份改为2份", page), "the books' note in the catalog's words"
    assert "short delivery" not in page
    first = people[0]
    assert f"{first.building}号楼{first.unit}单元201室" in page  # not 3-2-201
