"""Walk the whole menu: every key in every state, and silence, from a real call.

Each menu a caller can reach is a node, named by its step URL without the step
counter. From each node the walker copies the call and tries every key (numbers
then # where a number is asked for) and silence. It shows that no step answers
an error, every state can be left, every path ends in a goodbye, a transfer
to a person or the main menu, and no call ends before the caller was told what
happens next (they are put through, or told when a person will ring back).
"""

from __future__ import annotations

import copy
from collections import deque
from urllib.parse import parse_qsl, urlsplit

import pytest

from core.i18n import t
from core.orders.services import place_order
from tests.builders import World
from tests.integration.ivr.conftest import Dial
from tests.support.twiml_caller import ScriptedCall

ONE_KEY_INPUTS = [*"0123456789*#", None]  # None: silence
NUMBER_INPUTS = ["1#", "2#", "3#", "9#", "40#", "0#", "*#", "#", None]
GOODBYES = ("再见", "Goodbye")
#: The first words of each way the caller is told what happens next.
WHAT_NEXT = tuple(
    t("zh", key).split("{")[0]
    for key in (
        "ivr.staff.connecting",
        "ivr.staff.connecting_on_silence",
        "ivr.callback.by",
        "ivr.callback.from",
        "ivr.callback.later",
        "ivr.callback.no_number",
        "ivr.callback.no_number_later",
    )
)


def told_what_happens_next(branch: ScriptedCall) -> bool:
    """A call that ends has said what comes next: put through to a person, or rung back when."""
    heard = "".join(branch.said_since_last_input())
    return any(phrase in heard for phrase in WHAT_NEXT)


def node_of(call: ScriptedCall) -> str:
    """The menu the caller waits in: its step URL without the step counter."""
    assert call.gather is not None
    query = dict(parse_qsl(urlsplit(call.gather["action"]).query))
    query.pop("n", None)
    query.pop("p", None)  # the pace (key 8) is how it is said, not where the caller is
    # The silence count lives in the Redirect after the gather; keep it apart.
    silence = next(
        (
            dict(parse_qsl(urlsplit((v.text or "")).query)).get("w")
            for v in call._verbs
            if v.tag == "Redirect"
        ),
        None,
    )
    return "&".join(f"{k}={v}" for k, v in sorted(query.items())) + f"|w={silence}"


def menu_state(node: str) -> str:
    return dict(parse_qsl(node.split("|")[0]))["s"]


def walk(start: ScriptedCall, max_nodes: int = 400) -> dict[str, dict[str, str]]:
    """node -> {input: outcome}, where outcome is another node, "goodbye" or "transfer"."""
    graph: dict[str, dict[str, str]] = {}
    queue = deque([start])
    while queue:
        call = queue.popleft()
        node = node_of(call)
        if node in graph:
            continue
        assert len(graph) < max_nodes, "the menu graph keeps growing: a state leaks its counter"
        graph[node] = {}
        inputs = ONE_KEY_INPUTS if "numDigits" in (call.gather or {}) else NUMBER_INPUTS
        for keys in inputs:
            branch = copy.deepcopy(call)
            if keys is None:
                branch.wait()
            else:
                branch.press(keys)
            assert not branch.errors, branch.transcript()
            if branch.ended:
                assert told_what_happens_next(branch), branch.transcript()
                if branch.dialed:
                    outcome = "transfer"
                else:
                    assert branch.end_reason == "hangup", branch.transcript()
                    assert any(word in (branch.last_said or "") for word in GOODBYES), (
                        branch.transcript()
                    )
                    outcome = "goodbye"
            else:
                outcome = node_of(branch)
                queue.append(branch)
            graph[node]["silence" if keys is None else keys] = outcome
    return graph


def reaches_an_end(graph: dict[str, dict[str, str]], node: str) -> bool:
    """From `node`, some path reaches the main menu, a goodbye or a transfer."""
    seen, todo = set(), [node]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for outcome in graph[current].values():
            if outcome in ("goodbye", "transfer") or (
                outcome in graph and menu_state(outcome) in ("main", "unregistered")
            ):
                return True
            if outcome in graph:
                todo.append(outcome)
    return False


@pytest.mark.slow
def test_every_key_in_every_state_of_a_residents_call(world: World, dial: Dial):
    wang = world.resident("王芳")
    world.deal("赵县雪花梨", price_fen=3500, limit=3, stock_cap=50)
    world.deal("沁州黄小米", price_fen=1550, unit="袋")
    world.deal("东北大米", price_fen=6000, unit="袋", stock_cap=1, min_units=1)
    place_order(
        world.core,
        community_id=world.community_id,
        phone=world.resident("张伟").phone,
        deal_number=3,
        quantity=1,
        channel="sms",
    )  # number 3 is sold out
    place_order(
        world.core,
        community_id=world.community_id,
        phone=wang.phone,
        deal_number=2,
        quantity=1,
        channel="sms",
    )

    graph = walk(dial(wang.phone))

    states = {menu_state(node) for node in graph}
    assert states == {
        "main",
        "deal",
        "quantity",
        "confirm",
        "orders",
        "cancel",
        "cancel_confirm",
    }
    for node, edges in graph.items():
        assert any(outcome != node for outcome in edges.values()), f"{node} cannot be left"
        assert reaches_an_end(graph, node), f"{node} leads nowhere"
        assert edges.get("0", edges.get("0#")) == "transfer", node  # a person is one key away
    silent = [node for node in graph if node.endswith("|w=2")]
    assert silent and all(graph[node]["silence"] == "transfer" for node in silent)


@pytest.mark.slow  # every key in every state: a few hundred calls
def test_every_key_in_every_state_of_an_unknown_callers_call(world: World, dial: Dial):
    world.deal("赵县雪花梨")
    world.deal("沁州黄小米", unit="袋")
    graph = walk(dial("+8613912345678"))

    assert {menu_state(node) for node in graph} == {"unregistered", "browse"}
    for node, edges in graph.items():
        assert edges["0"] == "transfer"
        assert reaches_an_end(graph, node)
    assert graph["s=unregistered|w=2"]["silence"] == "transfer"


@pytest.mark.slow  # every ending of the menu walked, out of hours
def test_out_of_hours_every_ending_promises_a_call_back(world: World, dial: Dial, clock):  # type: ignore[no-untyped-def]
    world.deal("赵县雪花梨")
    clock.set(world.local(0, 22, 0))
    for caller in ("+8613912345678", "anonymous", world.resident("王芳").phone):
        graph = walk(dial(caller))
        silent = [node for node in graph if node.endswith("|w=2")]
        assert silent and all(graph[node]["silence"] == "goodbye" for node in silent)
        assert all(edges.get("0", edges.get("0#")) != "transfer" for edges in graph.values())
