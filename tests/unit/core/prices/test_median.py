"""The survey's arithmetic: which observations speak for a deal, and their median."""

from __future__ import annotations

from datetime import date

from core.prices.median import Seen, median_fen, recent, speaks_for, unit_labels


def test_the_median_resists_one_odd_stall() -> None:
    assert median_fen([5800, 5600, 9900]) == 5800
    assert median_fen([5600, 5800]) == 5700
    assert median_fen([5601, 5800]) == 5701  # rounded half up to the fen
    assert median_fen([]) is None


def test_a_product_word_inside_the_title_and_the_deals_own_unit_speak_for_it() -> None:
    labels = unit_labels("袋", "井陉小米5斤")
    names = ("井陉小米5斤", "Jingxing millet")
    day = date(2026, 11, 20)
    assert speaks_for(Seen("小米", 3000, 5, "斤", day), names=names, labels=labels)
    assert speaks_for(Seen("小米", 3000, 1, "袋", day), names=names, labels=labels)
    assert speaks_for(Seen("小米", 3000, 1, "", day), names=names, labels=labels)
    assert not speaks_for(Seen("小米", 600, 1, "斤", day), names=names, labels=labels)
    assert not speaks_for(Seen("大米", 3000, 1, "", day), names=names, labels=labels)


def test_only_the_last_thirty_days_count() -> None:
    until = date(2026, 12, 1)
    assert recent(Seen("梨", 1, 1, "", date(2026, 11, 1)), until=until)
    assert not recent(Seen("梨", 1, 1, "", date(2026, 10, 31)), until=until)
    assert not recent(Seen("梨", 1, 1, "", date(2026, 12, 2)), until=until)
