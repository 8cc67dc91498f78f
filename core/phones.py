"""Phone numbers in E.164, as residents and spreadsheets write them."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers

#: Parsing a number costs phonenumbers a tenth of a millisecond, and a worker meets the
#: same few thousand numbers again and again: each answer is kept (they never change).
_KEPT = 8192


class InvalidPhone(ValueError):
    pass


@lru_cache(maxsize=_KEPT)
def normalize_phone(raw: str, region: str = "CN") -> str:
    """E.164 for any way a Chinese number is written (with or without +86, spaces, dashes).

    Landlines count: residents call from them, so only validity is checked here,
    not whether the number can take texts.
    """
    text = (raw or "").strip()
    if not text:
        raise InvalidPhone("empty phone number")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(f"not a phone number: {raw!r}") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(f"not a valid phone number: {raw!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def try_normalize_phone(raw: str, region: str = "CN") -> str | None:
    try:
        return normalize_phone(raw, region)
    except InvalidPhone:
        return None


@lru_cache(maxsize=_KEPT)
def region_of(e164: str, default: str = "CN") -> str:
    """The country (ISO region) a number belongs to: CN for +86, HK for +852."""
    try:
        number = phonenumbers.parse(e164, default)
    except phonenumbers.NumberParseException:
        return default
    return phonenumbers.region_code_for_number(number) or default


@lru_cache(maxsize=_KEPT)
def display_phone(e164: str, region: str = "CN") -> str:
    """A phone as residents dial it from inside `region`: 0311-8888 6666, 138 0013 8000.

    phonenumbers' national format, with the area code of a landline joined by a dash
    as Chinese residents write it. Numbers from elsewhere keep their country code
    (+852 9123 4567); anything that is not a phone number is returned as it came.
    The spaces also keep spreadsheets from reading the number as a figure (8.6138E+12).
    """
    try:
        number = phonenumbers.parse(e164, region)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) != region:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    if national.startswith("0") and " " in national:  # a trunk prefix: an area code
        area, rest = national.split(" ", 1)
        return f"{area}-{rest}"
    return national
