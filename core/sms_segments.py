"""How many SMS segments a text costs, counted the way Twilio counts them.

Twilio bills, and carriers rate-limit, per segment, so replies and broadcasts
are sized with this before they are sent. The rules follow Twilio's own
calculator (npm `sms-segments-calculator`, TwilioDevEd/message-segment-calculator):

* A message is GSM-7 when every character is in the GSM 03.38 basic table or
  its extension table; one character outside both (a Chinese character, an
  emoji, a curly quote, a combining accent) makes the whole message UCS-2.
  Smart Encoding (Twilio replacing curly quotes by straight ones) is not
  assumed: it is a Messaging Service option we do not rely on.
* A segment carries 140 octets: 160 GSM-7 septets or 70 UTF-16 code units.
  Split messages spend 6 octets per segment on the concatenation header,
  leaving 153 septets or 67 code units.
* Extension characters (``| ^ € { } [ ] ~ \\`` and form feed) cost two
  septets, an escape and the character, and are never split between
  segments. In UCS-2 an emoji outside the BMP costs two code units (a
  surrogate pair), and a character with its combining marks, modifiers and
  joiners is never split between segments either.
* An empty text counts as one segment, as in Twilio's calculator. (Twilio
  refuses to send an empty body without media, so this only matters for
  estimates.)
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

Encoding = Literal["GSM-7", "UCS-2"]

# GSM 03.38 basic character set, in table order (0x00-0x7F) without 0x1B, the
# escape to the extension table, which is not a character of its own.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# GSM 03.38 extension table: each costs an escape septet plus its own.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE_SEGMENT = {"GSM-7": 160, "UCS-2": 70}
PER_SPLIT_SEGMENT = {"GSM-7": 153, "UCS-2": 67}


@dataclass(frozen=True, slots=True)
class SegmentInfo:
    encoding: Encoding
    units: int  # GSM-7 septets, or UTF-16 code units for UCS-2
    segments: int


def encoding_of(text: str) -> Encoding:
    """GSM-7 if every character is in the GSM 03.38 tables, else UCS-2."""
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        return "GSM-7"
    return "UCS-2"


def count_segments(text: str) -> int:
    """Segments Twilio will bill for this body (an empty body counts as 1)."""
    return segment_info(text).segments


@lru_cache(maxsize=1024)  # the same replies and candidate texts are measured again and again
def segment_info(text: str) -> SegmentInfo:
    """Encoding, size in that encoding's units, and number of segments."""
    encoding = encoding_of(text)
    if encoding == "GSM-7":
        costs = [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    else:
        units = _utf16_units(text)
        if units <= SINGLE_SEGMENT[encoding]:  # one segment: where clusters fall is moot
            return SegmentInfo(encoding, units, 1)
        costs = [_utf16_units(cluster) for cluster in _clusters(text)]
    units = sum(costs)
    if units <= SINGLE_SEGMENT[encoding]:
        return SegmentInfo(encoding, units, 1)
    return SegmentInfo(encoding, units, _pack(costs, PER_SPLIT_SEGMENT[encoding]))


def _pack(costs: list[int], capacity: int) -> int:
    """Segments needed when each indivisible piece goes whole into the first segment it fits."""
    segments, used = 1, 0
    for cost in costs:
        if used + cost > capacity and used > 0:
            segments, used = segments + 1, 0
        used += cost
    return segments


def _utf16_units(cluster: str) -> int:
    # surrogatepass: a lone surrogate (possible in a Python str) still costs one unit
    return len(cluster.encode("utf-16-le", "surrogatepass")) // 2


_ZWJ = "\u200d"


def _clusters(text: str) -> list[str]:
    """Split text into user-perceived characters that Twilio keeps in one segment.

    An approximation of Unicode extended grapheme clusters (UAX #29), which
    Twilio's calculator uses, covering what residents actually send: a
    character with its combining marks, variation selectors and emoji skin
    tones; emoji joined by ZWJ; flag pairs of regional indicators.
    """
    clusters: list[str] = []
    for ch in text:
        if clusters and _extends(clusters[-1], ch):
            clusters[-1] += ch
        else:
            clusters.append(ch)
    return clusters


def _extends(cluster: str, ch: str) -> bool:
    if cluster.endswith(_ZWJ) or ch == _ZWJ:
        return True
    if unicodedata.category(ch) in ("Mn", "Me", "Mc"):
        return True  # combining marks, including variation selectors FE00-FE0F
    code = ord(ch)
    if 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F or 0xE0100 <= code <= 0xE01EF:
        return True  # emoji skin tones, tag characters (subdivision flags), more selectors
    if _is_regional_indicator(ch) and _is_regional_indicator(cluster[-1]):
        # a flag is two indicators; a third starts the next flag
        trailing = len(cluster) - len(cluster.rstrip(_REGIONAL_INDICATORS))
        return trailing % 2 == 1
    return False


_REGIONAL_INDICATORS = "".join(chr(c) for c in range(0x1F1E6, 0x1F200))


def _is_regional_indicator(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF
