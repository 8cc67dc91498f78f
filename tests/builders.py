"""Builders for test data that read like the committee's own words."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from core.community.services import create_community
from core.context import Core, FrozenClock
from core.deals.services import DealSpec, create_deal
from core.residents.services import ResidentView, register_resident
from core.results import DealView

SHANGHAI = ZoneInfo("Asia/Shanghai")
_phones = itertools.count(1)


class World:
    """One community with helpers to add residents and deals to it."""

    def __init__(
        self,
        core: Core,
        clock: FrozenClock,
        phone: str = "+8631188886666",
        name: str = "幸福里社区",
    ) -> None:
        self.core = core
        self.clock = clock
        self.community_id = create_community(
            core,
            name=name,
            phone=phone,
            pickup_place="社区服务站",
            staff_phones=["+8613800000000"],
        )

    def resident(
        self,
        name: str = "王芳",
        *,
        phone: str | None = None,
        building: str = "3",
        unit: str = "2",
        room: str = "401",
        language: str = "zh",
        landline: bool = False,
    ) -> ResidentView:
        phone = phone or f"+86139{next(_phones):08d}"
        return register_resident(
            self.core,
            community_id=self.community_id,
            phone=phone,
            name=name,
            building=building,
            unit=unit,
            room=room,
            language=language,
            landline=landline,
        )

    def local(self, days: int, hour: int, minute: int = 0) -> datetime:
        base = self.clock().astimezone(SHANGHAI) + timedelta(days=days)
        return base.replace(hour=hour, minute=minute, second=0, microsecond=0)

    def deal(
        self,
        title: str = "赵县雪花梨",
        *,
        price_fen: int = 3500,
        market_price_fen: int | None = 5800,
        min_units: int = 10,
        stock_cap: int | None = None,
        limit: int | None = None,
        closes_at: datetime | None = None,
        if_short: str = "cancel",
        extend_hours: int = 0,
        open_now: bool = True,
        unit: str = "箱",
    ) -> DealView:
        closes = closes_at or self.local(3, 20)
        pickup = (closes + timedelta(days=2)).astimezone(SHANGHAI).replace(hour=9, minute=0)
        return create_deal(
            self.core,
            community_id=self.community_id,
            spec=DealSpec(
                title_zh=title,
                title_en="Snow pears" if title == "赵县雪花梨" else "",
                unit=unit,
                price_fen=price_fen,
                market_price_fen=market_price_fen,
                min_units=min_units,
                stock_cap=stock_cap,
                per_resident_limit=limit,
                closes_at=closes,
                pickup_start=pickup,
                pickup_end=pickup + timedelta(hours=2),
                if_short=if_short,
                extend_hours=extend_hours,
            ),
            open_now=open_now,
        )
