"""The scope is enforced in the core: a use case called for a staff actor refuses a
community the actor does not run, whatever the channel in front of it checked."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from core.accounts.acting import Actor, AdminOnly, OutsideCommunity
from core.accounts.queries import list_staff, recent_audit
from core.accounts.services import (
    AccountError,
    create_staff_user,
    grant_membership,
    reset_password,
    set_disabled,
    set_role,
)
from core.deals.editing import call_off_deal, deal_detail
from core.deals.queries import dashboard
from core.deals.services import close_deal, list_deals
from core.deals.sheets import pickup_list, supplier_sheet
from core.messages.queries import message_log
from core.orders.services import mark_picked_up, place_order
from core.reminders.services import bulk_progress, preview_bulk_reminder, send_bulk_reminder
from core.residents.queries import all_residents, recent_imports, resident_detail, search_residents
from tests.builders import World


@pytest.fixture
def two(world, clock):  # type: ignore[no-untyped-def]
    """Community A (the world) with its staff; community B with a buyer and a deal."""
    b = World(world.core, clock, phone="+8631188887777", name="和平里")
    person = b.resident("李秘密")
    deal = b.deal()
    placed = place_order(
        b.core,
        community_id=b.community_id,
        phone=person.phone,
        deal_number=deal.number,
        quantity=1,
        channel="sms",
    )
    assert placed
    a_staff = create_staff_user(
        world.core, "xiaoli", "staff-password", "staff", community_ids=[world.community_id]
    )
    a_admin = create_staff_user(
        world.core, "admin", "admin-password", "admin", community_ids=[world.community_id]
    )
    batch = send_bulk_reminder(b.core, community_id=b.community_id, number=deal.number, by="b")
    return SimpleNamespace(
        world=world,
        b=b,
        person=person,
        deal=deal,
        order_id=placed.order.id,
        batch_id=batch.batch_id,
        a_staff=a_staff,
        a_admin=a_admin,
    )


def test_every_console_use_case_refuses_another_community(two):
    world, b = two.world, two.b
    for user_id, name in ((two.a_staff, "xiaoli"), (two.a_admin, "admin")):
        into_b = Actor(user_id, name, b.community_id)
        calls = [
            lambda actor: list_deals(b.core, actor=actor),
            lambda actor: deal_detail(b.core, actor=actor, number=two.deal.number),
            lambda actor: supplier_sheet(b.core, actor=actor, number=two.deal.number),
            lambda actor: pickup_list(b.core, actor=actor, number=two.deal.number),
            lambda actor: close_deal(b.core, actor=actor, number=two.deal.number),
            lambda actor: preview_bulk_reminder(b.core, actor=actor, number=two.deal.number),
            lambda actor: bulk_progress(b.core, actor=actor, batch_id=two.batch_id),
            lambda actor: mark_picked_up(b.core, actor=actor, order_id=two.order_id),
            lambda actor: dashboard(b.core, actor=actor),
            lambda actor: search_residents(b.core, actor=actor, query="李"),
            lambda actor: resident_detail(b.core, actor=actor, resident_id=two.person.id),
            lambda actor: all_residents(b.core, actor=actor),
            lambda actor: message_log(b.core, actor=actor),
            lambda actor: recent_imports(b.core, actor=actor),
        ]
        for call in calls:
            with pytest.raises(OutsideCommunity):
                call(into_b)
        # Naming B's community while acting in A is refused the same way.
        in_a = Actor(user_id, name, world.community_id)
        with pytest.raises(OutsideCommunity):
            list_deals(b.core, actor=in_a, community_id=b.community_id)
    assert list_deals(b.core, community_id=b.community_id)[0].status == "open"


def test_ids_of_another_community_read_as_nothing_from_one_s_own(two):
    world = two.world
    in_a = Actor(two.a_staff, "xiaoli", world.community_id)
    assert resident_detail(world.core, actor=in_a, resident_id=two.person.id) is None
    assert bulk_progress(world.core, actor=in_a, batch_id=two.batch_id).total == 0
    assert not mark_picked_up(world.core, actor=in_a, order_id=two.order_id)
    assert all_residents(world.core, actor=in_a) == []


def test_admin_actions_need_the_admin_role_in_that_community(two):
    world = two.world
    staff_in_a = Actor(two.a_staff, "xiaoli", world.community_id)
    a_deal = world.deal()
    with pytest.raises(AdminOnly):
        call_off_deal(world.core, actor=staff_in_a, number=a_deal.number)
    for call in (
        lambda: list_staff(world.core, actor=staff_in_a),
        lambda: recent_audit(world.core, actor=staff_in_a),
        lambda: set_role(world.core, actor=staff_in_a, user_id=two.a_staff, role="admin"),
    ):
        with pytest.raises(AdminOnly):
            call()
    admin_in_a = Actor(two.a_admin, "admin", world.community_id)
    assert [m.username for m in list_staff(world.core, actor=admin_in_a)] == ["admin", "xiaoli"]
    assert call_off_deal(world.core, actor=admin_in_a, number=a_deal.number).outcome == "called_off"


def test_an_admin_cannot_touch_logins_of_other_communities(two):
    world, b = two.world, two.b
    admin_in_a = Actor(two.a_admin, "admin", world.community_id)
    b_admin = create_staff_user(
        b.core, "b_admin", "b-password", "admin", community_ids=[b.community_id]
    )
    for call in (
        lambda: set_role(world.core, actor=admin_in_a, user_id=b_admin, role="staff"),
        lambda: reset_password(world.core, actor=admin_in_a, user_id=b_admin, password="x" * 9),
        lambda: set_disabled(world.core, actor=admin_in_a, user_id=b_admin, disabled=True),
    ):
        with pytest.raises(OutsideCommunity):
            call()
    # A login that runs A and B is B's too: A's admin may not change its password alone.
    grant_membership(world.core, "xiaoli", role="staff", community_ids=[b.community_id])
    with pytest.raises(AccountError, match="other_communities"):
        reset_password(world.core, actor=admin_in_a, user_id=two.a_staff, password="y" * 9)


def test_a_disabled_actor_and_a_superuser(two):
    world, b = two.world, two.b
    street = create_staff_user(world.core, "jiedao", "street-office", "admin", superuser=True)
    assert (
        list_deals(b.core, actor=Actor(street, "jiedao", b.community_id))[0].number
        == two.deal.number
    )
    set_disabled(
        world.core,
        actor=Actor(two.a_admin, "admin", world.community_id),
        user_id=two.a_staff,
        disabled=True,
    )
    with pytest.raises(OutsideCommunity):
        list_deals(world.core, actor=Actor(two.a_staff, "xiaoli", world.community_id))


def test_the_last_admin_of_a_community_stays_admin(two):
    world = two.world
    with pytest.raises(AccountError, match="last_admin"):
        set_role(
            world.core,
            actor=Actor(two.a_admin, "admin", world.community_id),
            user_id=two.a_admin,
            role="staff",
        )
