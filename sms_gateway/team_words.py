"""The words of the residents' teams and of deal announcements: a pure reading.

加入 砍价团, 参加试吃团, 退出考察团; 订阅团购 / 不要通知 (only the announcements: 退订 still
stops every text); and a score for a sample or a collected deal, "4 很甜" or "5分", which
the dialog takes as a score only while a question waits for one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.teams.models import TeamKind


@dataclass(frozen=True, slots=True)
class JoinTeam:
    team: TeamKind


@dataclass(frozen=True, slots=True)
class LeaveTeam:
    team: TeamKind


@dataclass(frozen=True, slots=True)
class Announcements:
    """订阅团购 (on) / 不要通知 (off): texts when a new deal opens."""

    on: bool


@dataclass(frozen=True, slots=True)
class GiveScore:
    score: int  # 1..5
    words: str = ""


TeamIntent = JoinTeam | LeaveTeam | Announcements | GiveScore

#: Each team by the names residents use, compact (no spaces), casefolded.
TEAM_NAMES: dict[str, TeamKind] = {
    **dict.fromkeys(
        "市场价格调查团 价格调查团 市场调查团 调查团 价格团 调查 survey pricesurvey prices".split(),
        TeamKind.PRICE_SURVEY,
    ),
    **dict.fromkeys(
        "生产基地考察团 基地考察团 考察团 考察 基地 inspection farm farms visits".split(),
        TeamKind.FARM_INSPECTION,
    ),
    **dict.fromkeys(
        "产品质量试吃团 质量试吃团 试吃团 试吃 品尝团 品尝 tasting taste".split(), TeamKind.TASTING
    ),
    **dict.fromkeys(
        "洽谈价格砍价团 洽谈团 砍价团 砍价 议价团 bargaining bargain".split(), TeamKind.BARGAINING
    ),
}
_JOIN = ("我要加入", "我想加入", "报名参加", "加入", "参加", "报名", "入", "join")
_LEAVE = ("我要退出", "我想退出", "不参加", "退出", "离开", "leave", "quit")
_TEAM_SUFFIX = ("team", "group")

ANNOUNCE_ON = frozenset(
    "订阅团购 订阅通知 团购通知 要通知 开团通知 新团购通知 订阅新团购 subscribe news notify".split()
)
ANNOUNCE_OFF = frozenset(
    "不要通知 别通知 不要团购通知 取消通知 退订通知 不要新团购通知 nonews stopnews".split()
)


def read(key: str) -> TeamIntent | None:
    """A whole message (its compact key) that joins or leaves a team, or sets announcements."""
    if key in ANNOUNCE_ON:
        return Announcements(True)
    if key in ANNOUNCE_OFF:
        return Announcements(False)
    for verbs, make in ((_LEAVE, LeaveTeam), (_JOIN, JoinTeam)):
        for verb in verbs:
            if key.startswith(verb):
                team = _team(key[len(verb) :])
                if team is not None:
                    return make(team)  # type: ignore[abstract]
    return None


def _team(rest: str) -> TeamKind | None:
    name = rest.removeprefix("the")
    for suffix in _TEAM_SUFFIX:
        name = name.removesuffix(suffix)
    return TEAM_NAMES.get(name)


_DIGIT_SCORE = re.compile(
    r"^\s*([1-5])\s*(?:分|星|points?|stars?)?\s*[,，。.:：、\-—]*\s*(.*)$",
    re.IGNORECASE | re.DOTALL,
)
_CJK_SCORE = re.compile(r"^\s*([一二三四五])\s*(?:分|星)\s*[,，。.:：、\-—]*\s*(.*)$", re.DOTALL)
_CJK_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5}
MAX_WORDS = 200


def read_score(body: str) -> GiveScore | None:
    """ "4 很甜", "5分", "三分 有点酸": a score of 1-5 first, then any words; else None.

    Only asked when a score question waits for this resident, so "2" is a deal number
    to everyone else.
    """
    text = body.strip()
    match = _DIGIT_SCORE.match(text) or _CJK_SCORE.match(text)
    if match is None or match[2][:1].isdigit():  # "2 3", "4.5", "45": not a score
        return None
    value = int(match[1]) if match[1].isdigit() else _CJK_DIGITS[match[1]]
    return GiveScore(value, match[2].strip()[:MAX_WORDS])
