"""Money is integer fen everywhere; yuan strings exist only at the edges."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_YUAN = re.compile(r"^\s*[¥￥]?\s*(\d{1,7})(?:\.(\d{1,2}))?\s*(?:元)?\s*$")


class InvalidPrice(ValueError):
    pass


def parse_yuan(text: str) -> int:
    """'15', '15.5', '15.50', '¥15.5' -> fen. More than two decimals is refused, not rounded."""
    match = _YUAN.match(text or "")
    if not match:
        raise InvalidPrice(f"price must be yuan with up to two decimals, like 15.50, not {text!r}")
    try:
        value = Decimal(match.group(0).strip(" ¥￥元"))
    except InvalidOperation as exc:  # pragma: no cover - the pattern already rules this out
        raise InvalidPrice(str(exc)) from exc
    return int(value * 100)


def format_yuan(fen: int) -> str:
    """1550 -> '15.5', 1500 -> '15', 1505 -> '15.05': short, as people say prices."""
    yuan, rest = divmod(abs(fen), 100)
    sign = "-" if fen < 0 else ""
    if rest == 0:
        return f"{sign}{yuan}"
    if rest % 10 == 0:
        return f"{sign}{yuan}.{rest // 10}"
    return f"{sign}{yuan}.{rest:02d}"
