"""What reading one text comes to, as the dialog hands it to `finish_reading`."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.conversations.services import Dialog
from core.helpdesk.models import HelpReason


@dataclass(frozen=True)
class Answer:
    """What reading one text comes to: the reply (if any) and where the dialog stands."""

    reply: str | None
    dialog: Dialog = field(default_factory=Dialog)
    even_if_opted_out: bool = False
    collapsible: bool = True  # the same reply a moment ago need not go again (not an order's)
    needs_person: HelpReason | None = None  # staff should see this text, for this reason
    about_deals: tuple[int, ...] = ()  # the deals a complaint named (梨坏了: the pear deal)
