"""The demo's price survey: two members of the survey team and a month of prices from two
markets, so the deals' market prices and the savings pages have evidence (`demo seed`)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.context import Core
from core.deals.models import Deal
from core.prices.market import refresh_market_prices
from core.prices.membership import add_survey_member
from core.prices.models import MarketPriceOverride, PriceObservation
from core.residents.models import Resident

SURVEYORS = ("李秀英", "陈建国")
MARKETS = ("北国超市", "裕华路菜市场")
# product, amount, unit, price in fen at 北国超市 and at the market
PRODUCTS = [
    ("梨", 1, "箱", 6200, 5500),
    ("蔬菜", 1, "份", 2100, 1800),
    ("小米", 5, "斤", 4200, 3800),
    ("花生油", 1, "桶", 13900, 12900),
    ("盐", 1, "袋", 380, 320),
    ("鸡蛋", 30, "枚", 3600, 3300),
]
# A few fen up and down from one visit to the next, as prices move.
_WOBBLE = (0, 100, -100, 200, 0, -200, 100, 0, -100, 100)


def seed_price_survey(core: Core, community_id: int) -> int:
    """Every third day of the last month, both markets, each product; and one override."""
    local_today = core.now().astimezone(ZoneInfo("Asia/Shanghai")).date()  # the demo's zone
    with core.db.transaction() as session:
        surveyors = list(
            session.scalars(
                select(Resident).where(
                    Resident.community_id == community_id, Resident.name.in_(SURVEYORS)
                )
            )
        )
        for resident in surveyors:
            add_survey_member(session, community_id=community_id, resident_id=resident.id)
        count = 0
        for visit, days_ago in enumerate(range(28, -1, -3)):
            for market_index, market in enumerate(MARKETS):
                surveyor = surveyors[market_index % len(surveyors)] if surveyors else None
                for index, (product, amount, unit, *prices) in enumerate(PRODUCTS):
                    base = prices[market_index]
                    wobble = _WOBBLE[(visit + index) % len(_WOBBLE)] * max(base // 5000, 1) // 2
                    session.add(
                        PriceObservation(
                            community_id=community_id,
                            product=product,
                            place=market,
                            price_fen=base + wobble,
                            amount=amount,
                            unit=unit,
                            observed_on=local_today - timedelta(days=days_ago),
                            resident_id=surveyor.id if surveyor else None,
                            recorded_by=surveyor.name if surveyor else "demo",
                        )
                    )
                    count += 1
        oil = session.scalar(
            select(Deal).where(Deal.community_id == community_id, Deal.title_zh.like("%花生油%"))
        )
        if oil is not None:
            session.add(
                MarketPriceOverride(
                    deal_id=oil.id,
                    price_fen=12900,
                    note="北国超市上周是节日价，按菜市场和京东的平时价129元算",
                    set_by="admin",
                )
            )
        session.flush()
        refresh_market_prices(session, community_id=community_id, today=local_today)
        return count
