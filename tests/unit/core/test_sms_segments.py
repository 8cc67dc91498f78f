"""core.sms_segments: segment counts that agree with Twilio's calculator and billing.

Figures come from TWILIO.md, from the test vectors of Twilio's calculator
(TwilioDevEd/message-segment-calculator, tests/index.test.js and
tests/segments.test.js), and from its maintainers' comparison with live
Twilio sends (num_segments) in that repository's issue #66.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.sms_segments import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    SegmentInfo,
    count_segments,
    encoding_of,
    segment_info,
)

ZH = "中"
EMOJI = "😜"  # outside the BMP: a surrogate pair, two UTF-16 code units
CALCULATOR_UCS2_135 = "😜" + "2345678901" * 13 + "234"  # 135 code units, from segments.test.js


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        (ZH * 70, 1),
        (ZH * 71, 2),
        (ZH * 134, 2),
        (ZH * 135, 3),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("a" * 153 * 10, 10),
        ("a" * (153 * 10 + 1), 11),
        (ZH * 67 * 10, 10),
    ],
    ids=lambda value: f"{len(value)}x{value[:1]}" if isinstance(value, str) else str(value),
)
def test_twilio_calculator_figures(text: str, segments: int) -> None:
    assert count_segments(text) == segments


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("{" + "2" * 158, "GSM-7", 160, 1),  # an escape character filling the last septets
        ("{" + "2" * 159, "GSM-7", 161, 2),
        (EMOJI + "2" * 68, "UCS-2", 70, 1),
        (EMOJI + "2" * 69, "UCS-2", 71, 2),
        (CALCULATOR_UCS2_135, "UCS-2", 135, 3),
    ],
)
def test_twilio_calculator_test_vectors(
    text: str, encoding: str, units: int, segments: int
) -> None:
    assert segment_info(text) == SegmentInfo(encoding, units, segments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        ("a" * 80 + "\r\n" + "a" * 79, "GSM-7", 2),  # CR LF is two septets
        ("a" * 80 + "\n" + "a" * 79, "GSM-7", 1),
        ("a" * 200 + "\r\n" + "a" * 105, "GSM-7", 3),
        ("é" * 70, "GSM-7", 1),  # precomposed é is in the GSM table
        ("e\u0301" * 70, "UCS-2", 3),  # e + combining acute is not
        ("e\u0301", "UCS-2", 1),
        ("“quoted”", "UCS-2", 1),  # curly quotes, Smart Encoding off
        ("|", "GSM-7", 1),
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        (ZH * 70, "UCS-2", 1),
        (ZH * 71, "UCS-2", 2),
    ],
)
def test_agrees_with_live_twilio_sends(text: str, encoding: str, segments: int) -> None:
    info = segment_info(text)
    assert (info.encoding, info.segments) == (encoding, segments)


def test_empty_text_is_one_segment_as_in_twilios_calculator() -> None:
    assert segment_info("") == SegmentInfo("GSM-7", 0, 1)


def test_gsm_tables() -> None:
    assert len(GSM7_BASIC) == 127  # 128 positions less the escape to the extension table
    assert sorted(GSM7_EXTENSION) == sorted("\f^{}\\[~]|€")
    assert not GSM7_BASIC & GSM7_EXTENSION
    printable_ascii = {chr(c) for c in range(0x20, 0x7F)}
    assert printable_ascii - GSM7_BASIC - GSM7_EXTENSION == {"`"}  # no backtick in GSM-7


@pytest.mark.parametrize("ch", sorted(GSM7_EXTENSION))
def test_extension_characters_cost_two_septets(ch: str) -> None:
    assert segment_info(ch) == SegmentInfo("GSM-7", 2, 1)
    assert count_segments(ch * 80) == 1
    assert count_segments(ch * 81) == 2


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("", "GSM-7"),
        ("Your order: deal 2 x3, pick up at 3-2 gate. Reply T to stop.", "GSM-7"),
        ("Price: €15 {approx} [net] ~ ^ | \\", "GSM-7"),
        ("@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà", "GSM-7"),
        ("已订 2号 3份", "UCS-2"),
        ("ok 👍", "UCS-2"),
        ("it’s", "UCS-2"),  # curly apostrophe
        ("`", "UCS-2"),
        ("ç", "UCS-2"),  # only the capital Ç is in Twilio's table
        ("\x1b", "UCS-2"),  # the escape itself is not a character
        ("\t", "UCS-2"),
        ("２", "UCS-2"),  # full-width digit
    ],
)
def test_encoding_of(text: str, encoding: str) -> None:
    assert encoding_of(text) == encoding


def test_an_extension_character_is_not_split_between_segments() -> None:
    # 152 septets, then an escape pair that does not fit the 153rd: it moves on whole
    assert segment_info("a" * 152 + "{" + "a" * 152) == SegmentInfo("GSM-7", 306, 3)
    assert count_segments("a" * 151 + "{" + "a" * 153) == 2


def test_a_surrogate_pair_is_not_split_between_segments() -> None:
    assert segment_info(ZH * 66 + EMOJI + ZH * 66) == SegmentInfo("UCS-2", 134, 3)
    assert count_segments(ZH * 65 + EMOJI + ZH * 67) == 2


def test_joined_emoji_stay_in_one_segment() -> None:
    family = "👨\u200d👩\u200d👧\u200d👦"  # 11 code units
    assert segment_info(family).units == 11
    # 60 units, then the family (would straddle 67): it moves to the second segment whole
    assert count_segments(ZH * 60 + family + ZH * 56) == 2
    assert count_segments(ZH * 60 + family + ZH * 57) == 3


def test_flags_pair_up() -> None:
    assert segment_info("🇨🇳🇺🇸").units == 8
    assert count_segments(ZH * 66 + "🇨🇳" + ZH * 63) == 2  # the flag goes whole to segment two
    assert count_segments(ZH * 66 + "🇨🇳" + ZH * 64) == 3


def test_a_typical_chinese_reply() -> None:
    reply = "已为您订好：2号 砀山酥梨 3份，共45元。取货：5月20日 9:00-17:00 社区活动室。回T退订"
    assert encoding_of(reply) == "UCS-2"
    assert count_segments(reply) == 1


# --- properties -------------------------------------------------------------------

any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=400)
gsm_plain = st.text(st.sampled_from(sorted(GSM7_BASIC)), max_size=1600)
gsm_any = st.text(st.sampled_from(sorted(GSM7_BASIC | GSM7_EXTENSION)), max_size=1600)
bmp_chinese = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=800)


@given(text=any_text)
def test_segments_never_fall_as_text_grows(text: str) -> None:
    counts = [count_segments(text[:i]) for i in range(len(text) + 1)]
    assert counts == sorted(counts)


@given(text=any_text)
def test_one_segment_exactly_when_it_fits_one(text: str) -> None:
    info = segment_info(text)
    single = 160 if info.encoding == "GSM-7" else 70
    per_split = 153 if info.encoding == "GSM-7" else 67
    assert (info.segments == 1) == (info.units <= single)
    if info.segments > 1:
        assert info.segments >= math.ceil(info.units / per_split)


@given(text=gsm_plain)
def test_plain_gsm_is_160_then_153(text: str) -> None:
    expected = 1 if len(text) <= 160 else math.ceil(len(text) / 153)
    assert segment_info(text) == SegmentInfo("GSM-7", len(text), expected)


@given(text=gsm_any)
def test_gsm_units_count_extension_characters_twice(text: str) -> None:
    info = segment_info(text)
    assert info.encoding == "GSM-7"
    assert info.units == len(text) + sum(ch in GSM7_EXTENSION for ch in text)


@given(text=bmp_chinese)
def test_chinese_is_70_then_67(text: str) -> None:
    if not text:
        return
    expected = 1 if len(text) <= 70 else math.ceil(len(text) / 67)
    assert segment_info(text) == SegmentInfo("UCS-2", len(text), expected)


@given(text=gsm_any, extra=st.sampled_from([ZH, EMOJI, "’", "ç", "`"]))
def test_one_foreign_character_makes_the_whole_message_ucs2(text: str, extra: str) -> None:
    assert encoding_of(text) == "GSM-7"
    assert encoding_of(text + extra) == "UCS-2"
    assert count_segments(text + extra) >= count_segments(text)


@given(text=any_text)
def test_ucs2_units_are_utf16_code_units(text: str) -> None:
    info = segment_info(text)
    if info.encoding == "UCS-2":
        assert info.units == len(text.encode("utf-16-le", "surrogatepass")) // 2
