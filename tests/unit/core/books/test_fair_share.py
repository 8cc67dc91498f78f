"""The fair-share rules of a short delivery: never more than came, nobody more than asked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from core.books.fair_share import Claim, first_come, pro_rata, share
from core.books.models import ShareRule

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def claims_of(*quantities: int) -> list[Claim]:
    return [Claim(i + 1, q, T0 + timedelta(minutes=i)) for i, q in enumerate(quantities)]


claim_lists = st.lists(
    st.tuples(st.integers(1, 20), st.integers(0, 600)), min_size=0, max_size=30
).map(lambda rows: [Claim(i + 1, q, T0 + timedelta(minutes=m)) for i, (q, m) in enumerate(rows)])


@given(claim_lists, st.integers(0, 400), st.sampled_from(list(ShareRule)))
def test_no_rule_gives_more_than_came_or_than_anyone_asked(claims, delivered, rule):
    shares = share(rule, claims, delivered)
    ordered = sum(c.ordered for c in claims)
    assert set(shares) == {c.order_id for c in claims}
    assert sum(shares.values()) == min(delivered, ordered)
    for claim in claims:
        assert 0 <= shares[claim.order_id] <= claim.ordered


@given(claim_lists, st.integers(0, 400))
def test_first_come_serves_in_order_time(claims, delivered):
    shares = first_come(claims, delivered)
    by_time = sorted(claims, key=lambda c: (c.placed_at, c.order_id))
    short = [c for c in by_time if shares[c.order_id] < c.ordered]
    if short:
        # Everyone before the first who was cut got all; everyone after got nothing.
        first_cut = by_time.index(short[0])
        assert all(shares[c.order_id] == c.ordered for c in by_time[:first_cut])
        assert all(shares[c.order_id] == 0 for c in by_time[first_cut + 1 :])


@given(claim_lists, st.integers(0, 400))
def test_pro_rata_is_within_one_unit_of_the_exact_share(claims, delivered):
    shares = pro_rata(claims, delivered)
    total = sum(c.ordered for c in claims)
    if total <= delivered:
        assert all(shares[c.order_id] == c.ordered for c in claims)
        return
    for claim in claims:
        exact = claim.ordered * delivered / total
        assert int(exact) <= shares[claim.order_id] <= int(exact) + 1


def test_pro_rata_45_boxes_for_50_ordered():
    # 10 households ordered 5 boxes each; 45 came: each loses a half box, so the five
    # who ordered first keep 5 and the five after get 4.
    claims = claims_of(*[5] * 10)
    shares = pro_rata(claims, 45)
    assert [shares[c.order_id] for c in claims] == [5] * 5 + [4] * 5


def test_pro_rata_gives_the_remainders_to_the_largest_first():
    claims = claims_of(1, 3, 6)  # 10 ordered, 7 came: 0.7, 2.1, 4.2
    assert pro_rata(claims, 7) == {1: 1, 2: 2, 3: 4}


def test_first_come_by_order_time_not_by_id():
    late_first = [Claim(1, 3, T0 + timedelta(hours=1)), Claim(2, 3, T0)]
    assert first_come(late_first, 4) == {2: 3, 1: 1}


def test_nothing_delivered_gives_nobody_anything():
    assert share(ShareRule.PRO_RATA, claims_of(2, 3), 0) == {1: 0, 2: 0}
    assert share(ShareRule.FIRST_COME, claims_of(2, 3), 0) == {1: 0, 2: 0}
