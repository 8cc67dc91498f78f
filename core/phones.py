"""Phone numbers in E.164, as residents and spreadsheets write them."""

from __future__ import annotations

import phonenumbers


class InvalidPhone(ValueError):
    pass


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


def region_of(e164: str, default: str = "CN") -> str:
    """The country (ISO region) a number belongs to: CN for +86, HK for +852."""
    try:
        number = phonenumbers.parse(e164, default)
    except phonenumbers.NumberParseException:
        return default
    return phonenumbers.region_code_for_number(number) or default
