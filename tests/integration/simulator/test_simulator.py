"""The phone simulator drives the real, signed webhooks and shows what was recorded."""

from __future__ import annotations

import re
from typing import Any

import pytest

from core.orders.services import resident_orders
from simulator import DEV_AUTH_TOKEN
from tests.support.inbox import read_inbox


class Simulator:
    """The simulator page's browser side, as JSON calls."""

    def __init__(self, client: Any) -> None:
        self.client = client
        page = client.get("/simulator/").get_data(as_text=True)
        self.token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        self.state: str | None = None
        self.heard: list[str] = []

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(
            f"/simulator/{path}", json=body, headers={"X-CSRFToken": self.token}
        )

    def text(self, phone: str, body: str) -> Any:
        response = self.post("sms", {"phone": phone, "body": body})
        assert response.status_code == 200, response.get_data(as_text=True)
        read_inbox(self.client.application.extensions["mianhua"])  # the worker's part
        return response.get_json()

    def chat(self, phone: str) -> list[dict[str, Any]]:
        return self.client.get(f"/simulator/messages.json?phone={phone}").get_json()["messages"]

    def _call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.post(path, {**body, "state": self.state})
        assert response.status_code == 200, response.get_data(as_text=True)
        data = response.get_json()
        self.state = data["state"]
        self.heard = [line["text"] for line in data["heard"]]
        return data

    def dial(self, phone: str) -> dict[str, Any]:
        return self._call("call", {"phone": phone})

    def press(self, keys: str) -> dict[str, Any]:
        data: dict[str, Any] = {}
        heard: list[str] = []
        for key in keys:
            data = self._call("call/press", {"key": key})
            heard += self.heard
        self.heard = heard
        return data

    def silence(self) -> dict[str, Any]:
        return self._call("call/wait", {})

    def hang_up(self) -> dict[str, Any]:
        return self._call("call/hangup", {})


@pytest.fixture
def sim(app, app_world):  # type: ignore[no-untyped-def]
    return Simulator(app.test_client())


def test_a_text_goes_through_the_signed_webhook_and_the_reply_is_shown(sim, app_world):
    wang = app_world.resident("王芳")
    app_world.deal("赵县雪花梨", limit=5)
    sent = sim.text(wang.phone, "订1号 3份")
    assert sent["status"] == 200 and sent["message_sid"].startswith("SM")
    assert len(sent["message_sid"]) == 34
    chat = sim.chat(wang.phone)
    assert chat[0]["inbound"] and chat[0]["body"] == "订1号 3份"
    assert any("已订1号赵县雪花梨3箱" in m["body"] and not m["inbound"] for m in chat)
    [order] = resident_orders(app_world.core, community_id=app_world.community_id, phone=wang.phone)
    assert (order.quantity, order.channel) == (3, "sms")


def test_ordering_by_keypad(sim, app_world):
    wang = app_world.resident("王芳")
    app_world.deal("赵县雪花梨", limit=3)
    call = sim.dial(wang.phone)
    assert call["listening"] and "王芳您好" in sim.heard[0]
    sim.press("1")
    assert any("1号，赵县雪花梨" in line for line in sim.heard)
    sim.press("1")
    typed = sim.press("2")
    assert typed["typed"] == "2" and sim.heard == []  # waits for # like a real <Gather>
    sim.press("#")
    assert any("您要订1号赵县雪花梨，两箱" in line for line in sim.heard)
    sim.press("1")
    assert any("订单已经确认" in line for line in sim.heard)
    ended = sim.hang_up()
    assert ended["ended"] and not ended["listening"]
    [order] = resident_orders(app_world.core, community_id=app_world.community_id, phone=wang.phone)
    assert (order.quantity, order.channel) == (2, "voice")


def test_saying_nothing_repeats_the_menu_then_reaches_a_person(sim, app_world):
    wang = app_world.resident("王芳")
    sim.dial(wang.phone)
    assert sim.silence()["listening"]
    assert sim.heard[0] == "（没有按键，等到超时）"
    assert sim.heard[1].startswith("没有听到您按键，我再说一遍。听本周的团购，请按1")
    ended = sim.silence()
    assert any("我现在为您转接工作人员" in line for line in sim.heard)
    assert ended["ended"] and sim.heard[-1] == "通话结束。"
    sim.silence()
    assert sim.heard == ["现在没有在等按键。"]


def test_any_number_can_text_and_bad_input_is_answered_politely(sim, app_world):
    assert sim.text("13912345678", "你好")["status"] == 200
    assert sim.chat("13912345678")[0]["body"] == "你好"
    bad = sim.post("sms", {"phone": "12", "body": "x"})
    assert bad.status_code == 400 and "电话号码" in bad.get_json()["error"]
    empty = sim.post("sms", {"phone": "13912345678", "body": "  "})
    assert empty.status_code == 400
    forged = sim.post("call/press", {"key": "1", "state": "forged"})
    assert forged.status_code == 400 and "重新拨打" in forged.get_json()["error"]


def test_without_the_csrf_header_the_simulator_refuses(app, app_world):
    client = app.test_client()
    response = client.post("/simulator/sms", json={"phone": "13912345678", "body": "x"})
    assert response.status_code == 400


def test_the_simulator_is_absent_in_production(app_factory, sqlite_url):
    production = app_factory(sqlite_url, MIANHUA_ENV="production")
    client = production.test_client()
    assert client.get("/simulator/").status_code == 404
    assert client.post("/simulator/sms", json={}).status_code == 404
    assert production.extensions["mianhua"].settings.twilio_auth_token != DEV_AUTH_TOKEN


def test_development_without_a_twilio_account_signs_with_a_dev_token(app_factory, sqlite_url):
    dev = app_factory(sqlite_url, MIANHUA_ENV="development", TWILIO_AUTH_TOKEN="")
    assert dev.extensions["mianhua"].settings.twilio_auth_token == DEV_AUTH_TOKEN
    assert dev.test_client().get("/simulator/").status_code == 200
