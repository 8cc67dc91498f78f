"""The dashboard shows what came through the spool: each text and call-back request,
when it came and when it was taken in, and files still waiting or set aside."""

from __future__ import annotations

from core.accounts.services import create_staff_user
from core.phones import display_phone
from tests.builders import World
from tests.integration.spool.conftest import Outage
from tests.integration.spool.test_phone_menu import ring
from tests.integration.staff.conftest import Console


def logged_in(outage: Outage) -> Console:
    create_staff_user(
        outage.world.core,
        "xiaoli",
        "staff-password-1",
        "staff",
        community_ids=[outage.world.community_id],
    )
    console = Console(outage.up.test_client())
    assert console.login("xiaoli", "staff-password-1").status_code == 302
    return console


def test_spooled_texts_and_call_backs_are_listed_with_their_times(outage: Outage):
    world = outage.world
    world.deal()
    wang, li = world.resident("王芳"), world.resident("李明")
    elsewhere = World(world.core, world.clock, phone="+8631100000009")
    stranger = elsewhere.resident("张三")
    outage.sms_down.send(wang.phone, "1 2", read=False)  # came 10:00 Shanghai time
    outage.sms_down.send(stranger.phone, "1 1", to="+8631100000009", read=False)
    ring(outage.down, li.phone).press("1")
    world.clock.advance(minutes=7)
    outage.drain()

    page = logged_in(outage).page("/staff/")

    assert "系统忙时收到的短信和回电请求" in page
    assert f"{display_phone(wang.phone)}：1 2" in page  # as residents dial it
    assert f"{display_phone(li.phone)}来电，请求回电" in page and "等待回电" in page
    assert "11月23日周一 10:00收到，11月23日周一 10:07收进" in page
    assert display_phone(stranger.phone) not in page  # another community's text


def test_files_waiting_or_set_aside_are_named_for_staff(outage: Outage):
    outage.sms_down.send(outage.world.resident("王芳").phone, "1 1", read=False)
    spool = outage.up.extensions["mianhua"].spool
    spool.directory.joinpath("0000000000000000001-0000-none.json").write_bytes(b"not json")
    console = logged_in(outage)

    assert "还有2条在磁盘上等待收进" in console.page("/staff/")
    outage.drain()
    page = console.page("/staff/")
    assert "有1个文件无法读取" in page and "还有" not in page


def test_a_quiet_dashboard_says_nothing_of_the_spool(outage: Outage):
    assert "系统忙时" not in logged_in(outage).page("/staff/")
