"""The price survey's texts: "价 梨 22 北国超市", "价格 小米 5斤 30 菜市场".

A pure reading, like the rest of the reader: the prefix (价, 价格, 报价, 市场价), then a
product, a price, maybe the amount it is for (5斤, 每斤, 一桶, 30元/斤), maybe a day
(昨天), and the place. Written any way residents write: traditional characters,
full-width digits, Chinese numerals (二十二, 两块五), glued (小米5斤30元菜市场). A text
with the prefix and a number that does not read as one price is `PriceFormat`, so the
surveyor is shown the form; one without a number (价格多少) is not a survey text at all.
"""

from __future__ import annotations

import re
from decimal import Decimal

from sms_gateway import wording
from sms_gateway.intent_types import PriceFormat, RecordPrice

_PREFIX = re.compile(r"^(?:市场价格|市场价|报价|价格|价|price)(?![a-z])\s*[:：]?\s*(?P<rest>.+)$")
_UNITS = "公斤|千克|kg|斤|克|g|两|升|l|箱|袋|桶|份|盒|个|瓶|包|把|捆|只|颗|块儿"
_PER = re.compile(rf"(?:每|/|／|一)\s*(?={_UNITS})")
_AMOUNT = re.compile(rf"(?<![0-9.])([0-9]{{1,3}})\s*({_UNITS})")
_PRICE = re.compile(
    r"(?<![0-9.])([0-9]{1,5}(?:\.[0-9]{1,2})?)\s*(?:(元|块钱|块)\s*([0-9])?\s*(?:毛|角)?)?"
)
_DAYS = {"今天": 0, "昨天": 1, "昨日": 1, "前天": 2}
_PIECES = re.compile(r"[\s,，、;；:：/]+")
_PLACE_LEAD = re.compile(r"^(?:在|于|是)")


def read_price(text: str) -> RecordPrice | PriceFormat | None:
    """The survey text in `text` (already cleaned), or None when it is not one."""
    match = _PREFIX.match(wording.simplify(text).strip().casefold())
    if match is None:
        return None
    rest = wording.numerals_to_digits(match["rest"])
    if not re.search(r"[0-9]", rest):
        return None  # 价格多少: a question, for the reader
    rest = _PER.sub("1", rest)
    days_ago = 0
    for word, days in _DAYS.items():
        if word in rest:
            days_ago, rest = days, rest.replace(word, " ")
    amounts = _AMOUNT.findall(rest)
    rest = _AMOUNT.sub(" ", rest)
    prices = [m for m in _PRICE.finditer(rest) if m.group(0).strip()]
    words = _words(_PRICE.sub(" ", rest))
    if len(amounts) > 1 or len(prices) != 1:
        return _muddled(words, prices)
    price = prices[0]
    yuan = Decimal(price[1]) + (Decimal(price[3]) / 10 if price[3] else 0)
    if len(words) < 2 or yuan <= 0:
        return _muddled(words, prices)
    amount, unit = (int(amounts[0][0]), amounts[0][1]) if amounts else (1, "")
    if amount < 1:
        return PriceFormat()
    return RecordPrice(
        product=words[0][:40],
        place=" ".join(words[1:])[:60],
        price_fen=int(yuan * 100),
        amount=amount,
        unit=unit,
        days_ago=days_ago,
    )


def _words(text: str) -> list[str]:
    """The pieces that are not numbers: the product first, then the place."""
    pieces = (_PLACE_LEAD.sub("", w) for w in _PIECES.split(text) if w)
    return [w for w in pieces if w and w not in {"号"}]


def _muddled(words: list[str], prices: list[re.Match[str]]) -> PriceFormat | None:
    """A survey text gone wrong (a product and a place, or two prices) is shown the form;
    one that names less (价格 2号, price 2) is more likely a question, left to the reader."""
    return PriceFormat() if len(words) >= 2 or len(prices) >= 2 else None
