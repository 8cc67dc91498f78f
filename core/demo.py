"""Demo data: a community with residents and deals like the committee's real ones.

Used by the README's run command and the browser tests. Seeding twice does nothing
the second time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.accounts.models import StaffUser
from core.accounts.services import create_staff_user
from core.community.models import Community
from core.community.services import create_community
from core.context import Core
from core.deals.services import DealSpec, create_deal
from core.orders.models import Channel
from core.orders.services import place_order
from core.phones import normalize_phone
from core.prices.demo import seed_price_survey
from core.residents.services import register_resident
from core.suppliers.demo import seed_suppliers
from core.teams.demo import seed_teams

DEMO_PHONE = "+8631188886666"
DEMO_STAFF_PHONE = "+8613800000000"
DEMO_LOGIN = ("admin", "mianhua-demo")

RESIDENTS = [
    # phone, name, building, unit, room, language, landline
    ("13800138001", "王芳", "1", "1", "101", "zh", False),
    ("13800138002", "李秀英", "1", "1", "302", "zh", False),
    ("13800138003", "张伟", "1", "2", "501", "zh", False),
    ("13800138004", "刘桂兰", "2", "1", "201", "zh", False),
    ("13800138005", "陈建国", "2", "2", "402", "zh", False),
    ("13800138006", "杨淑珍", "2", "3", "601", "zh", False),
    ("13800138007", "赵德明", "3", "1", "102", "zh", False),
    ("13800138008", "黄秀兰", "3", "2", "401", "zh", False),
    ("13800138009", "周玉梅", "3", "2", "502", "zh", False),
    ("13800138010", "吴志强", "4", "1", "301", "zh", False),
    ("13800138011", "徐凤英", "4", "2", "202", "zh", False),
    ("13800138012", "孙国华", "5", "1", "101", "zh", False),
    ("13800138013", "马丽", "5", "3", "603", "zh", False),
    ("13800138014", "朱文", "6", "1", "401", "zh", False),
    ("13800138015", "Anna Müller", "6", "2", "502", "en", False),
    ("13800138016", "David Chen", "10", "1", "201", "en", False),
    ("0311-8566-2001", "郭奶奶", "2", "1", "102", "zh", True),
    ("0311-8566-2002", "何大爷", "4", "1", "101", "zh", True),
    ("0311-8566-2003", "罗阿姨", "9", "2", "302", "zh", True),
    ("13800138020", "高明", "10", "2", "1201", "zh", False),
]


def _at(day: datetime, hour: int, minute: int = 0) -> datetime:
    return day.replace(hour=hour, minute=minute, second=0, microsecond=0)


def seed_demo(core: Core) -> str:
    with core.db.transaction() as session:
        if session.scalar(select(Community.id).where(Community.phone == DEMO_PHONE)):
            return "demo data is there already"
        has_admin = session.scalar(select(StaffUser.id).where(StaffUser.username == DEMO_LOGIN[0]))
    community_id = create_community(
        core,
        name="幸福里社区居委会",
        phone=DEMO_PHONE,
        pickup_place="幸福里社区服务站（3号楼南侧）",
        staff_phones=[DEMO_STAFF_PHONE],
        allow_self_registration=True,
    )
    for phone, name, building, unit, room, language, landline in RESIDENTS:
        register_resident(
            core,
            community_id=community_id,
            phone=phone,
            name=name,
            building=building,
            unit=unit,
            room=room,
            language=language,
            landline=landline,
            notes="需要送货上门" if name == "何大爷" else "",
        )
    local_today = core.now().astimezone(ZoneInfo("Asia/Shanghai"))
    closes = _at(local_today + timedelta(days=3), 20)
    saturday = _at(local_today + timedelta(days=(5 - local_today.weekday()) % 7 + 7), 9)
    deals = [
        ("赵县雪花梨", "Zhaoxian snow pears", "箱", 3500, 5800, 30, 80, 3, "赵县梨园合作社"),
        ("正定时令蔬菜", "Zhengding vegetables", "份", 1250, 2000, 20, None, 5, "正定蔬菜基地"),
        ("井陉小米5斤", "Jingxing millet 5 jin", "袋", 2800, 4000, 15, None, 5, "井陉小米基地"),
        ("鲁花花生油5L", "Luhua peanut oil 5L", "桶", 9900, 12900, 10, 40, 2, "鲁花"),
        ("加碘食盐", "Iodised salt", "袋", 250, 350, 50, None, 10, "中盐"),
    ]
    for title_zh, title_en, unit, price, market, minimum, cap, limit, supplier in deals:
        create_deal(
            core,
            community_id=community_id,
            spec=DealSpec(
                title_zh=title_zh,
                title_en=title_en,
                unit=unit,
                price_fen=price,
                market_price_fen=market,
                min_units=minimum,
                stock_cap=cap,
                per_resident_limit=limit,
                closes_at=closes,
                pickup_start=saturday,
                pickup_end=saturday + timedelta(hours=2),
                supplier_name=supplier,
            ),
            open_now=True,
            by="demo",
        )
    for index, (phone, *_rest) in enumerate(RESIDENTS[:12]):
        place_order(
            core,
            community_id=community_id,
            phone=normalize_phone(phone),
            deal_number=index % 3 + 1,
            quantity=index % 2 + 1,
            channel=Channel.STAFF if index % 4 == 0 else Channel.SMS,
            placed_by="demo" if index % 4 == 0 else None,
        )
    suppliers = seed_suppliers(core, community_id)
    if not has_admin:
        # The demo's one login plays the street office too, so a second community made
        # beside the demo can be switched to at once.
        create_staff_user(
            core,
            *DEMO_LOGIN,
            role="admin",
            phone=DEMO_STAFF_PHONE,
            community_ids=[community_id],
            superuser=True,
            by="demo",
        )
    teams = seed_teams(core, community_id)
    prices = seed_price_survey(core, community_id)  # after the teams' tasting deal: priced too
    return (
        f"demo community 幸福里 ({DEMO_PHONE}): {len(RESIDENTS)} residents, {len(deals)} deals, "
        f"{suppliers} suppliers, {prices} surveyed prices; "
        f"{teams}; "
        f"staff login {DEMO_LOGIN[0]} / {DEMO_LOGIN[1]}"
    )
