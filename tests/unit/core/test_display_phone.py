"""Phones as Chinese residents dial them: landlines with their area code, mobiles 3-4-4."""

from __future__ import annotations

import pytest

from core.formatting import dial_form
from core.phones import display_phone


@pytest.mark.parametrize(
    ("e164", "shown"),
    [
        ("+8631188886666", "0311-8888 6666"),  # Shijiazhuang landline
        ("+861088886666", "010-8888 6666"),  # Beijing: a three-digit area code
        ("+862188886666", "021-8888 6666"),
        ("+8657188886666", "0571-8888 6666"),
        ("+8613800138000", "138 0013 8000"),  # mobile
        ("+8619912345678", "199 1234 5678"),
        ("+85291234567", "+852 9123 4567"),  # from elsewhere: the country code stays
        ("not a phone", "not a phone"),
        ("", ""),
    ],
)
def test_phones_are_shown_as_dialled(e164, shown):
    assert display_phone(e164) == shown
    assert dial_form(e164) == shown  # the one way, whichever name a caller uses


def test_a_shown_number_reads_back_as_the_same_number():
    from core.phones import normalize_phone

    for e164 in ("+8631188886666", "+8613800138000", "+861088886666"):
        assert normalize_phone(display_phone(e164)) == e164
