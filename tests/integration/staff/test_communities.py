"""Staff see only their own communities (finding 1 of issue 10): one street office,
two estates, and a staff member of the first who tries every door of the second."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.accounts.acting import staff_user
from core.accounts.models import AuditLog, StaffUser
from core.accounts.services import create_staff_user
from core.calls.models import CallbackReason
from core.calls.services import start_call
from core.calls.staff_callbacks import request_staff_callback
from core.deals.services import DealSpec, create_deal
from core.helpdesk.models import HelpReason
from core.helpdesk.services import ask_for_help
from core.orders.services import place_order
from core.reminders.services import send_bulk_reminder
from core.residents.import_runs import start_import
from tests.builders import World
from tests.integration.staff.conftest import Console

B_NAME = "李秘密"
B_PHONE = "+8613912340000"
B_COMMUNITY = "和平里秘密社区"


@dataclass
class CommunityB:
    world: World
    resident_id: int
    deal_number: int
    deal_id: int
    order_id: int
    batch_id: str
    import_id: int
    admin_id: int
    message_id: int
    item_id: int
    callback_id: int
    supplier_id: int = 0

    @property
    def secrets(self) -> list[str]:
        """What must never appear on a page shown to a member of community A."""
        return [B_NAME, B_PHONE, B_PHONE.removeprefix("+86"), B_COMMUNITY, "B社区秘密梨", "b_admin"]


@pytest.fixture
def b(app, app_world, staff_users, clock) -> CommunityB:  # type: ignore[no-untyped-def]
    """A second community on the same deployment, with one of everything."""
    world = World(app_world.core, clock, phone="+8631188887777", name=B_COMMUNITY)
    person = world.resident(B_NAME, phone=B_PHONE)
    closes = world.local(3, 20)
    pickup = closes + timedelta(days=2)
    deal = create_deal(
        world.core,
        community_id=world.community_id,
        spec=DealSpec(
            title_zh="B社区秘密梨",
            unit="箱",
            price_fen=3500,
            min_units=10,
            closes_at=closes,
            pickup_start=pickup,
            pickup_end=pickup + timedelta(hours=2),
            number=7,  # a number community A does not use
        ),
        open_now=True,
    )
    placed = place_order(
        world.core,
        community_id=world.community_id,
        phone=B_PHONE,
        deal_number=deal.number,
        quantity=2,
        channel="sms",
    )
    assert placed
    batch = send_bulk_reminder(
        world.core,
        community_id=world.community_id,
        number=deal.number,
        by="b_admin",
        batch_id=uuid.uuid4().hex,
    )
    import_id = start_import(
        world.core,
        community_id=world.community_id,
        filename="b.csv",
        by="b_admin",
        data=b"phone,name,building,unit,room\n",
    )
    admin_id = create_staff_user(
        world.core, "b_admin", "b-admin-password", "admin", community_ids=[world.community_id]
    )
    from core.messages.models import Message

    with world.core.db.transaction() as session:
        message_id = session.scalars(
            select(Message.id).where(Message.community_id == world.community_id)
        ).first()
        item_id = ask_for_help(
            session,
            community_id=world.community_id,
            phone=B_PHONE,
            reason=HelpReason.QUESTION,
            message_id=None,
            now=world.core.now(),
        )
    sid = "CAb" + "0" * 31
    start_call(world.core, community_id=world.community_id, call_sid=sid, phone=B_PHONE)
    callback_id = request_staff_callback(
        world.core,
        community_id=world.community_id,
        call_sid=sid,
        phone=B_PHONE,
        reason=CallbackReason.OUT_OF_HOURS,
    ).call_id
    from core.suppliers.services import SupplierEntry, add_supplier

    supplier_id = add_supplier(
        world.core, community_id=world.community_id, entry=SupplierEntry("B社区秘密梨园")
    )
    return CommunityB(
        world,
        person.id,
        deal.number,
        deal.id,
        placed.order.id,
        batch.batch_id,
        import_id,
        admin_id,
        message_id,
        item_id,
        callback_id,
        supplier_id,
    )


def b_state(b: CommunityB) -> dict[str, object]:
    """Everything of B that a member of A could try to change."""
    from core.deals.models import Deal
    from core.orders.models import Order
    from core.residents.models import Resident

    core = b.world.core
    roles = staff_user(core, b.admin_id).roles  # type: ignore[union-attr]
    with core.db.transaction() as session:
        deal = session.scalars(select(Deal).where(Deal.community_id == b.world.community_id)).one()
        order = session.get_one(Order, b.order_id)
        person = session.get_one(Resident, b.resident_id)
        admin = session.get_one(StaffUser, b.admin_id)
        return {
            "deal": (deal.status, deal.units_ordered, deal.title_zh),
            "order": (order.status, order.quantity),
            "resident": (person.name, person.opted_out, person.language, person.notes),
            "admin": (admin.password_hash, admin.disabled_at, admin.session_version),
            "admin roles": roles,
        }


def b_values(b: CommunityB) -> dict[str, object]:
    return {
        "number": b.deal_number,
        "deal_id": b.deal_id,
        "order_id": b.order_id,
        "resident_id": b.resident_id,
        "import_id": b.import_id,
        "user_id": b.admin_id,
        "batch_id": b.batch_id,
        "item_id": b.item_id,
        "callback_id": b.callback_id,
        "supplier_id": b.supplier_id,
        "kind": "tasting",
    }


def staff_routes(app):  # type: ignore[no-untyped-def]
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("staff.") and rule.endpoint not in (
            "staff.login",
            "staff.static",
        ):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, rule


def form_for(b: CommunityB) -> dict[str, object]:
    """Plausible values for every console form, aimed at B."""
    return {
        "community_id": b.world.community_id,
        "phone": "+8613900000999",  # a new resident of A, if a form makes one
        "quantity": "1",
        "role": "admin",
        "password": "taken-over-1",
        "current": "staff-password-1",
        "name": "改名了",
        "text": "B的提醒",
        "confirmed": "yes",
        "batch": b.batch_id,
        "username": "intruder",
        # the books' forms: a payment, a delivery, a refund aimed at B's deal and order
        "order_id": b.order_id,
        "amount": "15",
        "method": "cash",
        "delivered": "0",
        "rule": "pro_rata",
        "action": "apply",
        "kind": "refunded",
        "token": "0" * 32,
    }


def readable(response) -> str:  # type: ignore[no-untyped-def]
    """A page's text, or every cell of a spreadsheet download."""
    if response.mimetype.endswith("spreadsheetml.sheet"):
        from io import BytesIO

        from openpyxl import load_workbook

        book = load_workbook(BytesIO(response.get_data()), read_only=True)
        return "\n".join(
            str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
        )
    return response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["xiaoli", "admin"])
def test_every_console_route_with_community_b_s_ids_shows_nothing_of_b(app, browser, b, who):
    before = b_state(b)
    assert browser.login(who).status_code == 302
    walked = 0
    values = b_values(b)
    for method, rule in staff_routes(app):
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule.rule)
        # The file format and a team's kind name no row.
        names_b_row = bool(set(rule.arguments) - {"fmt", "kind"})
        if method == "GET":
            response = browser.get(path, query_string={"community_id": b.world.community_id})
        else:
            if rule.endpoint in ("staff.logout", "staff.my_sessions_end"):
                continue  # they end this very session; walked in their own tests
            response = browser.post(path, form_for(b))
        walked += 1
        body = readable(response)
        for secret in b.secrets:
            assert secret not in body, (method, path, secret)
        if names_b_row or rule.endpoint == "staff.choose_community":
            assert response.status_code in (403, 404), (method, path, response.status_code)
        else:
            assert response.status_code in (200, 302, 403, 422), (method, path)
    assert walked > 30
    assert b_state(b) == before
    # And the session still runs community A.
    assert "幸福里社区" in browser.page("/staff/")


def test_finding_1_a_member_of_a_cannot_switch_to_b_or_reach_its_rows(staff, b):
    """The reproduction from the issue: the switcher, the CSV, the pickup list, a close."""
    assert staff.post("/staff/community", {"community_id": b.world.community_id}).status_code == 404
    residents_csv = staff.get("/staff/residents.csv").get_data(as_text=True)
    assert B_NAME not in residents_csv and B_PHONE not in residents_csv
    assert staff.get(f"/staff/deals/{b.deal_id}/pickup-list.csv").status_code == 404
    assert staff.get(f"/staff/deals/{b.deal_id}/orders").status_code == 404
    assert staff.post(f"/staff/deals/{b.deal_id}/close").status_code == 404
    assert b_state(b)["deal"][0] == "open"  # type: ignore[index]
    progress = staff.get(f"/staff/reminders/{b.batch_id}.json")
    assert progress.status_code == 404 and progress.json == {"error": "not found"}


def test_the_switcher_lists_only_the_login_s_communities(app, b, browser, app_world):
    core = app_world.core
    create_staff_user(
        core, "both", "both-password-1", "staff", community_ids=[app_world.community_id]
    )
    from core.accounts.services import grant_membership

    grant_membership(core, "both", role="admin", community_ids=[b.world.community_id])
    assert browser.login("xiaoli").status_code == 302
    page = browser.page("/staff/")
    assert 'id="community-switcher"' not in page and B_COMMUNITY not in page
    browser.post("/staff/logout")

    assert browser.login("both", "both-password-1").status_code == 302
    page = browser.page("/staff/")
    assert 'id="community-switcher"' in page and B_COMMUNITY in page
    assert "staff.accounts" not in page and "/staff/accounts" not in page  # staff in A
    switched = browser.post("/staff/community", {"community_id": b.world.community_id})
    assert switched.status_code == 302
    assert B_NAME in browser.page("/staff/residents")
    assert "/staff/accounts" in browser.page("/staff/")  # admin in B
    assert "王芳" not in browser.page("/staff/residents")


def test_a_superuser_runs_every_community(app, b, browser, app_world):
    create_staff_user(app_world.core, "jiedao", "street-office-1", "admin", superuser=True)
    assert browser.login("jiedao", "street-office-1").status_code == 302
    assert B_COMMUNITY in browser.page("/staff/")
    assert (
        browser.post("/staff/community", {"community_id": b.world.community_id}).status_code == 302
    )
    assert B_NAME in browser.page("/staff/residents")
    assert browser.get(f"/staff/reminders/{b.batch_id}.json").status_code == 200
    assert "b_admin" in browser.page("/staff/accounts")


def test_the_audit_log_records_the_community_and_shows_each_admin_only_theirs(admin, b, app_world):
    deal = app_world.deal()
    assert admin.post(f"/staff/deals/{deal.id}/close").status_code == 302
    with app_world.core.db.transaction() as session:
        closes = session.scalars(select(AuditLog).where(AuditLog.action == "deal.cancelled")).all()
        logins = session.scalars(select(AuditLog).where(AuditLog.action == "staff.login")).all()
    assert [(e.actor, e.community_id) for e in closes] == [("admin", app_world.community_id)]
    assert [e.community_id for e in logins] == [app_world.community_id]
    page = admin.page("/staff/audit")
    assert "deal.cancelled" in page and "b_admin" not in page


def test_a_login_that_runs_no_community_is_told_whom_to_ask(app, b, browser, app_world):
    from core.accounts.models import StaffMembership

    user_id = create_staff_user(
        app_world.core, "newcomer", "new-password-1", "staff", community_ids=[b.world.community_id]
    )
    with app_world.core.db.transaction() as session:
        session.delete(session.get_one(StaffMembership, (user_id, b.world.community_id)))
    assert browser.login("newcomer", "new-password-1").status_code == 302
    response = browser.get("/staff/")
    assert response.status_code == 409
    assert "还没有分到任何社区" in response.get_data(as_text=True)


def test_an_admin_takes_a_login_off_the_community_at_once(app, admin, app_world):
    xiaoli = Console(app.test_client())
    assert xiaoli.login("xiaoli").status_code == 302
    assert admin.post("/staff/accounts/2/remove", form_on="/staff/accounts").status_code == 302
    assert "已把xiaoli移出本社区" in admin.page("/staff/accounts")
    assert xiaoli.get("/staff/residents").status_code == 409  # runs no community now
    admin.post("/staff/accounts/1/remove", form_on="/staff/accounts")
    assert "至少要留一个管理员" in admin.page("/staff/accounts")
