"""The greeting, the main menu and the unknown caller's menu: where every caller starts.

The greeting says the one thing a caller most likely rang about before any menu:
when to pick up what they ordered, how their order stands, or this week's deals.
"""

from __future__ import annotations

from core.deals.models import DealStatus
from core.deals.services import open_deals
from core.orders.models import OrderStatus
from core.orders.services import resident_orders
from core.results import OrderView, Refusal
from core.tastings.models import RatingKind
from core.tastings.services import question_waiting
from ivr import prompts
from ivr.states import Call, Prompt, State, Where

DIAL_TIMEOUT_SECONDS = 30  # about six rings before "nobody could answer"
#: Deals named in an unknown caller's or an order-less resident's greeting.
DEALS_NAMED = 3


def greeting(call: Call) -> Prompt:
    """The first words of a call: by name for a resident, the headline, then their menu."""
    name = call.community.name
    pace = [] if call.slow else [call.say("ivr.pace.offer")]
    if call.resident is None:
        hello = call.say("ivr.greeting.unknown", community=name)
        prompt = unregistered(call)
        prompt.lines[1:1] = [*deals_headline(call), *pace]  # after "not registered", before keys
        return prompt.before(hello)
    hello = call.say("ivr.greeting.known", name=call.resident.name, community=name)
    return main_menu(call).before(hello, *headline(call), *pace)


def headline(call: Call) -> list[str]:
    """The one thing this caller most likely wants: a pickup, an order's standing, the deals."""
    orders = resident_orders(call.core, community_id=call.community.id, phone=call.caller_phone)
    held = [] if isinstance(orders, Refusal) else orders
    placed = [o for o in held if o.status == OrderStatus.PLACED]
    now = call.now
    going_ahead = sorted(
        (o for o in placed if o.deal.status == DealStatus.CONFIRMED and o.deal.pickup_end > now),
        key=lambda o: o.deal.pickup_start,
    )
    if going_ahead:
        return [_pickup_headline(call, going_ahead[0])]
    waiting = [o for o in placed if o.deal.status == DealStatus.OPEN]
    if waiting:
        return [_standing_headline(call, waiting[0])]
    return deals_headline(call)


def _pickup_headline(call: Call, order: OrderView) -> str:
    """您订的赵县雪花梨周六上午9点到11点在社区服务站取。"""
    deal = order.deal
    return call.say(
        "ivr.headline.pickup",
        title=prompts.title(call, deal),
        count=prompts.count(call, order.quantity, deal),
        pickup=prompts.window(call, deal),
        place=prompts.place(call, deal),
    )


def _standing_headline(call: Call, order: OrderView) -> str:
    deal = order.deal
    params = {
        "title": prompts.title(call, deal),
        "count": prompts.count(call, order.quantity, deal),
        "closes": prompts.moment(call, deal.closes_at),
    }
    if deal.units_to_go_ahead == 0:
        return call.say("ivr.headline.going_ahead", **params)
    short = prompts.count(call, deal.units_to_go_ahead, deal)
    return call.say("ivr.headline.needs", short=short, **params)


def deals_headline(call: Call) -> list[str]:
    """本周有2个团购：赵县雪花梨、沁州黄小米。 (nothing when there are none)"""
    deals = open_deals(call.core, community_id=call.community.id)
    if not deals:
        return []
    named = [prompts.title(call, d) for d in deals[:DEALS_NAMED]]
    key = "ivr.headline.deals" if len(deals) <= DEALS_NAMED else "ivr.headline.deals_more"
    joiner = "、" if call.language == "zh" else ", "
    return [call.say(key, count=len(deals), titles=joiner.join(named))]


def main_menu(call: Call) -> Prompt:
    """The main menu; with a score question waiting (core.tastings), key 6 offers it."""
    lines = [call.say("ivr.main.menu")]
    waiting = rating_waits(call)
    if waiting is not None:
        title, kind = waiting
        key = "ivr.rate.offer_sample" if kind == RatingKind.SAMPLE else "ivr.rate.offer"
        lines.append(call.say(key, title=title))
    return Prompt(lines, wait=Where(State.MAIN))


def rating_waits(call: Call) -> tuple[str, RatingKind] | None:
    """The deal a score question waits on for this caller (a sample, or what they
    collected), if any."""
    if call.resident is None:
        return None
    return question_waiting(call.core, community_id=call.community.id, phone=call.caller_phone)


def unregistered(call: Call) -> Prompt:
    lines = [call.say("ivr.unregistered"), call.say("ivr.unregistered.menu")]
    return Prompt(lines, wait=Where(State.UNREGISTERED))


def home(call: Call, *, after: bool = True) -> Prompt:
    """Back where this caller starts: the main menu, or the unknown caller's menu."""
    if call.resident is None:
        return unregistered(call)
    prompt = main_menu(call)
    return prompt.before(call.say("ivr.main.anything_else")) if after else prompt


def goodbye(call: Call) -> Prompt:
    return Prompt([call.say("ivr.goodbye")], hangup=True)
