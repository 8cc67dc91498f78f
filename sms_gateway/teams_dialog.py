"""The dialog's part for the residents' teams, deal announcements and scores.

Joining and leaving a team, 订阅团购 / 不要通知, a score for the question that waits,
and a member's reply to a team message (to the help inbox, marked with the team):
each one core call, its answer rendered from the catalogs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.announcements.services import subscribe_by_text
from core.helpdesk.models import HelpReason
from core.tastings.services import record_score
from core.teams.services import TeamChange, join_team, leave_team, note_team_reply
from sms_gateway.answer import Answer
from sms_gateway.intents import Clarify, Intent, OptIn, OptOut, Unknown
from sms_gateway.plans import Complaint, Question, WantsPerson
from sms_gateway.team_words import Announcements, GiveScore, JoinTeam, LeaveTeam, read_score

if TYPE_CHECKING:
    from sms_gateway.conversation import Reading

#: What a member's text after a team message is, when it is neither an order nor a command.
_TALK = (Unknown, Clarify, Question, WantsPerson, Complaint)
#: Unknowns that are no words to pass on.
_NOT_WORDS = ("courtesy", "empty", "staff_only")


def as_score(reading: Reading, intent: Intent) -> Intent:
    """"4 很甜" while a score question waits for this resident: the score, not deal 4."""
    if isinstance(intent, OptOut | OptIn) or reading.resident is None:
        return intent
    dialog = reading.arrival.dialog
    if dialog.pending or dialog.awaiting_quantity_for or dialog.awaiting_cancel_choice:
        return intent  # "1" answers the question the dialog asked last, not the score's
    if not reading.arrival.score_waits:
        return intent
    score = read_score(reading.body)
    return intent if score is None else score


def score(reading: Reading, intent: GiveScore) -> Answer:
    kept = record_score(
        reading.core,
        community_id=reading.community.id,
        phone=reading.phone,
        score=intent.score,
        words=intent.words,
        key=reading.key,
    )
    if kept is None:  # the question lapsed between reading and keeping: say how to order
        return Answer(reading.replies.unknown())
    return Answer(reading.replies.text("sms.tasting.thanks", title=kept.deal_title,
                                       score=kept.score))  # fmt: skip


def team(reading: Reading, intent: JoinTeam | LeaveTeam) -> Answer:
    call = join_team if isinstance(intent, JoinTeam) else leave_team
    result = call(
        reading.core, community_id=reading.community.id, phone=reading.phone, team=intent.team
    )
    if not isinstance(result, TeamChange):
        return Answer(reading.replies.not_registered())
    name = reading.replies.text(f"sms.team.name.{intent.team.value}")
    verb = "joined" if isinstance(intent, JoinTeam) else "left"
    state = "done" if result.changed else "already"
    return Answer(reading.replies.text(f"sms.team.{verb}.{state}", team=name))


def announcements(reading: Reading, intent: Announcements) -> Answer:
    result = subscribe_by_text(
        reading.core, community_id=reading.community.id, phone=reading.phone, on=intent.on
    )
    if result is None:
        return Answer(reading.replies.not_registered())
    key = "sms.announce.on" if intent.on else "sms.announce.off"
    return Answer(reading.replies.text(key))


def team_reply(reading: Reading, intent: Intent) -> Answer | None:
    """A member's words soon after a team message go to the help inbox, marked with the team."""
    if not isinstance(intent, _TALK):
        return None
    if isinstance(intent, Unknown) and intent.reason in _NOT_WORDS:
        return None
    if isinstance(intent, Clarify) and intent.reason != "question":
        return None  # an order half understood: the dialog asks about it
    if not reading.arrival.team_message_lately:
        return None
    marked = note_team_reply(
        reading.core,
        community_id=reading.community.id,
        phone=reading.phone,
        message_id=reading.arrival.text.message_id,
    )
    if marked is None:
        return None
    name = reading.replies.text(f"sms.team.name.{marked.value}")
    return Answer(
        reading.replies.text("sms.team.reply_forwarded", team=name),
        needs_person=HelpReason(f"team_{marked.value}"),
    )
