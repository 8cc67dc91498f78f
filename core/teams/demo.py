"""The teams' part of `demo seed`: the four teams with members and leaders, a tasting
with scores, a bargaining note, and the tasting team's leader's own console login, so
a newcomer's `./scripts/run` shows them."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.context import Core
from core.deals.models import Deal
from core.deals.services import DealSpec, create_deal
from core.phones import normalize_phone
from core.residents.services import find_resident
from core.tastings.services import TastingStarted, record_score, start_tasting
from core.teams.leaders import LeaderLoginMade, make_leader_login
from core.teams.models import TeamKind
from core.teams.services import add_member, record_bargain, set_leader

#: Members by demo phone; the first of each team leads it.
TEAMS = {
    TeamKind.PRICE_SURVEY: ("13800138002", "13800138003", "13800138005"),
    TeamKind.FARM_INSPECTION: ("13800138007", "13800138010", "13800138012"),
    TeamKind.TASTING: ("13800138008", "13800138009", "13800138001", "13800138013"),
    TeamKind.BARGAINING: ("13800138004", "13800138006", "13800138020"),
}
#: The tasting team's leader (黄秀兰) logs in with this: her team's page, nothing else.
LEADER_LOGIN = ("huangxiulan", "mianhua-demo")
#: What the tasting team said of the eggs' samples (the last member has not scored yet).
SCORES = ((5, "蛋黄很红，很新鲜"), (4, "不错，个头小了点"), (4, ""))


def seed_teams(core: Core, community_id: int) -> str:
    ids: dict[str, int] = {}
    for team, phones in TEAMS.items():
        for phone in phones:
            resident = find_resident(core, community_id=community_id, phone=normalize_phone(phone))
            assert resident is not None, phone
            ids[phone] = resident.id
            add_member(core, community_id=community_id, team=team, resident_id=resident.id,
                       by="demo")  # fmt: skip
        set_leader(core, community_id=community_id, team=team, resident_id=ids[phones[0]],
                   by="demo")  # fmt: skip
    login = make_leader_login(
        core,
        community_id=community_id,
        team=TeamKind.TASTING,
        username=LEADER_LOGIN[0],
        password=LEADER_LOGIN[1],
        by="demo",
    )
    local = core.now().astimezone(ZoneInfo("Asia/Shanghai"))
    closes = (local + timedelta(days=10)).replace(hour=20, minute=0, second=0, microsecond=0)
    eggs = create_deal(
        core,
        community_id=community_id,
        spec=DealSpec(
            title_zh="高邑柴鸡蛋30枚",
            title_en="Gaoyi free-range eggs, 30",
            unit="盒",
            price_fen=3600,
            market_price_fen=4500,
            min_units=20,
            closes_at=closes,
            pickup_start=closes + timedelta(days=2, hours=-7),
            pickup_end=closes + timedelta(days=2, hours=-5),
            supplier_name="高邑鸡蛋养殖场",  # the directory's farm: its page shows the scores
        ),
        open_now=False,
        by="demo",
    )
    tasters = [ids[phone] for phone in TEAMS[TeamKind.TASTING]]
    started = start_tasting(
        core, community_id=community_id, deal_id=eggs.id, resident_ids=tasters, by="demo"
    )
    assert isinstance(started, TastingStarted), started
    for phone, (score, words) in zip(TEAMS[TeamKind.TASTING], SCORES, strict=False):
        record_score(
            core,
            community_id=community_id,
            phone=normalize_phone(phone),
            score=score,
            words=words,
            key=f"demo-tasting-{phone}",
        )
    with core.db.transaction() as session:
        pears = session.scalar(
            select(Deal.id).where(Deal.community_id == community_id, Deal.number == 1)
        )
    if pears is not None:
        note = "原价42，谈到35，满50箱送到社区"
        record_bargain(core, community_id=community_id, deal_id=pears, asked_fen=4200,
                       agreed_fen=3500, note=note, by="demo")  # fmt: skip
    leader = f", leader login {LEADER_LOGIN[0]}" if isinstance(login, LeaderLoginMade) else ""
    return f"4 teams, a tasting of {eggs.title_zh} with {len(SCORES)} scores{leader}"
