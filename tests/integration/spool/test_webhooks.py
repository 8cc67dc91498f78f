"""The webhooks while the database is down: verified requests kept on disk and answered
as if all went well, then taken in and answered as usual once the database is back."""

from __future__ import annotations

from sqlalchemy import select

from core.messages.models import Message
from core.orders.services import resident_orders
from spool.records import SMS_INBOUND
from tests.integration.spool.conftest import Outage, inbound_texts
from tests.support.phone import COMMUNITY_PHONE, new_sid
from tests.support.twilio_signing import signed

EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response />'


def quantities(outage: Outage, phone: str) -> list[int]:
    orders = resident_orders(outage.world.core, community_id=outage.world.community_id, phone=phone)
    assert not isinstance(orders, Exception)
    return [o.quantity for o in orders if o.status == "placed"]  # type: ignore[union-attr]


def test_texts_sent_while_the_database_is_down_are_answered_then_ordered(outage: Outage):
    world = outage.world
    world.deal(limit=3)
    wang, li = world.resident("王芳"), world.resident("李明")
    arrived = world.clock()

    first = outage.sms_down.send(wang.phone, "1 2", read=False)
    second = outage.sms_down.send(li.phone, "订1号 一份", read=False)

    assert (first.status, first.twiml) == (200, EMPTY)
    assert (second.status, second.twiml) == (200, EMPTY)
    spool = outage.up.extensions["mianhua"].spool
    assert len(spool.pending()) == 2
    assert inbound_texts(world) == []  # nothing reached the database

    world.clock.advance(minutes=1)
    output = outage.drain()
    outage.read_texts()

    assert "taken in 2" in output and "left 0" in output
    assert quantities(outage, wang.phone) == [2] and quantities(outage, li.phone) == [1]
    assert [b[:9] for b in outage.sms_up.new_replies(wang.phone)] == ["已订1号赵县雪花梨"]
    assert len(outage.sms_up.new_replies(li.phone)) == 1
    texts = inbound_texts(world)
    assert [t.created_at for t in texts] == [arrived, arrived]  # the arrival is when it came
    assert all(t.spooled_at == arrived and t.taken_in_at == world.clock() for t in texts)
    assert spool.pending() == []


def test_the_same_message_spooled_twice_is_taken_in_once(outage: Outage):
    world = outage.world
    world.deal()
    wang = world.resident("王芳")
    sid = new_sid()

    assert outage.sms_down.send(wang.phone, "1 1", sid=sid, read=False).status == 200
    assert outage.sms_down.send(wang.phone, "1 1", sid=sid, read=False).status == 200  # retry
    output = outage.drain()
    outage.read_texts()

    assert "taken in 1, duplicates 1" in output
    assert len(inbound_texts(world)) == 1
    assert len(outage.sms_up.new_replies(wang.phone)) == 1


def test_a_text_already_recorded_before_the_outage_is_not_taken_in_again(outage: Outage):
    world = outage.world
    world.deal()
    wang = world.resident("王芳")
    sid = new_sid()
    outage.sms_up.send(wang.phone, "1 1", sid=sid)
    outage.sms_up.new_replies(wang.phone)

    # Twilio timed out on the first try and sent the text again to the fallback URL.
    params = {"MessageSid": sid, "From": wang.phone, "To": COMMUNITY_PHONE, "Body": "1 1"}
    response = outage.up.test_client().post(
        "/sms/fallback", data=params, headers=signed("/sms/fallback", params)
    )
    assert response.status_code == 200
    assert "duplicates 1" in outage.drain()
    outage.read_texts()
    assert outage.sms_up.new_replies(wang.phone) == []


def test_the_fallback_url_keeps_the_text_in_the_spool(outage: Outage):
    world = outage.world
    world.deal()
    wang = world.resident("王芳")
    params = {"MessageSid": new_sid(), "From": wang.phone, "To": COMMUNITY_PHONE, "Body": "1 3"}
    client = outage.up.test_client()

    unsigned = client.post("/sms/fallback", data=params)
    response = client.post("/sms/fallback", data=params, headers=signed("/sms/fallback", params))

    assert unsigned.status_code == 403
    assert (response.status_code, response.get_data(as_text=True)) == (200, EMPTY)
    (path,) = outage.up.extensions["mianhua"].spool.pending()
    record = outage.up.extensions["mianhua"].spool.read(path)
    assert (record.kind, record.route, record.value("Body")) == (
        SMS_INBOUND,
        "/sms/fallback",
        "1 3",
    )
    outage.drain()
    outage.read_texts()
    assert quantities(outage, wang.phone) == [3]


def test_an_unsigned_request_is_refused_and_never_spooled(outage: Outage):
    world = outage.world
    wang = world.resident("王芳")
    params = {"MessageSid": new_sid(), "From": wang.phone, "To": COMMUNITY_PHONE, "Body": "1 1"}

    response = outage.down.test_client().post("/sms/inbound", data=params)

    assert response.status_code == 403
    assert outage.down.extensions["mianhua"].spool.pending() == []


def test_a_late_answer_says_the_system_was_busy(outage: Outage):
    world = outage.world
    world.deal(limit=3)
    wang = world.resident("王芳")
    smith = world.resident("John Smith", language="en")
    outage.sms_down.send(wang.phone, "1 2", read=False)
    outage.sms_down.send(smith.phone, "1 1", read=False)
    outage.sms_down.send(smith.phone, "hello?", read=False)

    world.clock.advance(minutes=10)
    outage.drain()
    outage.read_texts()

    (confirmation,) = outage.sms_up.new_replies(wang.phone)
    assert confirmation.startswith("刚才系统忙，您的订单已收到。已订1号")
    order, reply = outage.sms_up.new_replies(smith.phone)
    assert order.startswith("Sorry for the delay, our system was busy. Your order is in. ")
    assert reply.startswith("Sorry for the late reply, our system was busy. ")


def test_an_answer_soon_after_the_outage_needs_no_apology(outage: Outage):
    world = outage.world
    world.deal()
    wang = world.resident("王芳")
    outage.sms_down.send(wang.phone, "1 1", read=False)

    world.clock.advance(seconds=40)
    outage.drain()
    outage.read_texts()

    (confirmation,) = outage.sms_up.new_replies(wang.phone)
    assert confirmation.startswith("已订1号")


def test_a_dialog_texted_across_the_outage_keeps_its_order(outage: Outage):
    world = outage.world
    world.deal(limit=3)
    wang = world.resident("王芳")
    outage.sms_down.send(wang.phone, "1", read=False)  # which deal; "how many?" comes later

    # The database is back but the spool is not taken in yet: the answer "2" waits behind "1".
    sent = outage.sms_up.send(wang.phone, "2", read=False)
    assert sent.status == 200
    assert inbound_texts(world) == []
    assert len(outage.up.extensions["mianhua"].spool.pending()) == 2

    outage.drain()
    outage.read_texts()
    assert [t.body for t in inbound_texts(world)] == ["1", "2"]
    question, confirmation = outage.sms_up.new_replies(wang.phone)
    assert question.endswith("要几箱？回1-3") and confirmation.startswith("已订1号赵县雪花梨2箱")


def test_a_status_callback_during_the_outage_moves_its_message_afterwards(outage: Outage):
    world = outage.world
    world.deal()
    wang = world.resident("王芳")
    outage.sms_up.send(wang.phone, "1 1")
    (confirmation,) = outage.sms_up.outbound(wang.phone)
    with world.core.db.transaction() as session:
        row = session.get_one(Message, confirmation.id)
        row.status, row.provider_sid = "sent", "SM" + "c" * 32
    params = {"MessageSid": "SM" + "c" * 32, "MessageStatus": "delivered"}

    assert outage.sms_down.status(params, query=f"m={confirmation.id}") == 204
    outage.drain()

    with world.core.db.transaction() as session:
        assert session.scalar(select(Message.status).where(Message.id == confirmation.id)) == (
            "delivered"
        )


def test_a_corrupt_file_is_set_aside_and_reported(outage: Outage):
    world = outage.world
    world.deal()
    wang = world.resident("王芳")
    spool = outage.up.extensions["mianhua"].spool
    outage.sms_down.send(wang.phone, "1 1", read=False)
    spool.directory.joinpath("0000000000000000001-0000-none.json").write_bytes(b'{"format": 1,')

    output = outage.drain()
    outage.read_texts()

    assert "set aside 1" in output and "0000000000000000001-0000-none.json" in output
    assert quantities(outage, wang.phone) == [1]  # the good file behind it went in
    assert spool.pending() == []
    assert [name for name, _why in spool.set_aside_files()] == [
        "0000000000000000001-0000-none.json"
    ]
    health = outage.up.test_client().get("/healthz").get_json()
    assert health["spool_set_aside"] == 1
    assert "set aside 0" in outage.drain()  # never retried


def test_a_text_for_a_number_that_is_no_community_is_set_aside_not_retried(outage: Outage):
    outage.world.deal()
    phone = outage.world.resident("王芳").phone
    assert outage.sms_down.send(phone, "1 1", to="+8631100000000", read=False).status == 200

    output = outage.drain()

    assert "set aside 1" in output and "no community has the number" in output
    assert inbound_texts(outage.world) == []


def test_healthz_reports_what_waits_in_the_spool(outage: Outage):
    world = outage.world
    wang = world.resident("王芳")
    arrived = world.clock()
    outage.sms_down.send(wang.phone, "1 1", read=False)
    world.clock.advance(minutes=2)
    outage.sms_down.send(wang.phone, "1 2", read=False)

    response = outage.down.test_client().get("/healthz")

    body = response.get_json()
    assert response.status_code == 503 and body["db"].startswith("down")
    assert body["spool"] == "ok" and body["spool_depth"] == 2
    assert body["spool_oldest"] == arrived.isoformat(timespec="seconds")


def test_a_spool_that_cannot_be_written_answers_503(app_factory, tmp_path, clock):  # type: ignore[no-untyped-def]
    from tests.integration.spool.conftest import UNREACHABLE_DATABASE

    blocker = tmp_path / "full-disk"
    blocker.write_text("a file where the spool directory should be")
    app = app_factory(UNREACHABLE_DATABASE, SPOOL_DIR=str(blocker / "spool"))
    client = app.test_client()
    params = {"MessageSid": new_sid(), "From": "+8613900000001", "To": COMMUNITY_PHONE, "Body": "1"}

    inbound = client.post("/sms/inbound", data=params, headers=signed("/sms/inbound", params))
    fallback = client.post("/sms/fallback", data=params, headers=signed("/sms/fallback", params))
    health = client.get("/healthz")

    assert inbound.status_code == 503 and fallback.status_code == 503
    assert health.status_code == 503 and health.get_json()["spool"].startswith("down")


def test_the_drain_command_says_so_while_the_database_is_still_down(outage: Outage):
    outage.sms_down.send("+8613900000001", "1 1", read=False)

    result = outage.down.test_cli_runner().invoke(args=["spool", "drain"])

    assert result.exit_code == 1 and "database unavailable" in result.output
    assert len(outage.down.extensions["mianhua"].spool.pending()) == 1


def test_spool_status_lists_what_waits(outage: Outage):
    outage.sms_down.send("+8613900000001", "1 1", read=False)

    result = outage.up.test_cli_runner().invoke(args=["spool", "status"])

    assert (
        result.exit_code == 0 and "waiting 1" in result.output and "writable: yes" in result.output
    )


def test_the_web_process_takes_its_spool_in_by_itself(app_factory, sqlite_url, clock):  # type: ignore[no-untyped-def]
    from tests.builders import World
    from tests.integration.workers.conftest import wait_until
    from tests.support.phone import Sms

    app = app_factory(sqlite_url, SPOOL_DRAIN_INTERVAL_SECONDS="0.1")
    world = World(app.extensions["mianhua"].core, clock)
    world.deal()
    wang = world.resident("王芳")
    params = {"MessageSid": new_sid(), "From": wang.phone, "To": COMMUNITY_PHONE, "Body": "1 2"}
    client = app.test_client()

    assert (
        client.post(
            "/sms/fallback", data=params, headers=signed("/sms/fallback", params)
        ).status_code
        == 200
    )

    spool = app.extensions["mianhua"].spool
    wait_until(lambda: not spool.pending(), 10, "the drainer to take the text in")
    Sms(client, world.core).read_inbox()
    assert len(Sms(client, world.core).new_replies(wang.phone)) == 1


def test_files_left_from_before_a_restart_are_taken_in_after_the_first_request(
    outage: Outage, app_factory, sqlite_url
):  # type: ignore[no-untyped-def]
    from tests.integration.workers.conftest import wait_until

    outage.world.deal()
    wang = outage.world.resident("王芳")
    outage.sms_down.send(wang.phone, "1 2", read=False)
    # The web process is restarted with the database back; the file is still on disk.
    restarted = app_factory(sqlite_url, SPOOL_DRAIN_INTERVAL_SECONDS="0.1")
    spool = restarted.extensions["mianhua"].spool
    assert len(spool.pending()) == 1

    assert restarted.test_client().get("/healthz").status_code == 200
    wait_until(lambda: not spool.pending(), 10, "the restarted process to take the file in")
    outage.read_texts()
    assert quantities(outage, wang.phone) == [2]


def test_a_file_that_keeps_failing_is_set_aside_after_a_few_tries(outage: Outage, monkeypatch):  # type: ignore[no-untyped-def]
    from spool import intake

    def broken(_mianhua, _record):  # type: ignore[no-untyped-def]
        raise RuntimeError("a bug in taking it in")

    outage.sms_down.send("+8613900000001", "1 1", read=False)
    monkeypatch.setitem(intake.HANDLERS, ("twilio", SMS_INBOUND), broken)
    mianhua = outage.up.extensions["mianhua"]

    reports = [intake.drain(mianhua) for _ in range(intake.GIVE_UP_AFTER)]

    assert [r.stopped is not None for r in reports] == [True] * (intake.GIVE_UP_AFTER - 1) + [False]
    assert reports[-1].set_aside == 1 and mianhua.spool.pending() == []
    assert "a bug in taking it in" in mianhua.spool.set_aside_files()[0][1]


def test_a_reminder_call_outcome_during_the_outage_is_kept_and_taken_in(outage: Outage):
    params = {"CallSid": "CA" + "e" * 32, "CallStatus": "no-answer"}
    path = "/voice/reminder-status?m=999"

    response = outage.down.test_client().post(path, data=params, headers=signed(path, params))

    assert response.status_code == 204
    assert len(outage.up.extensions["mianhua"].spool.pending()) == 1
    assert "taken in 1" in outage.drain()  # a message we do not know: recorded as nothing
