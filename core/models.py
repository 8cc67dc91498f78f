"""Every table, imported in one place so Alembic and `create_all` see them all."""

from core.accounts.models import AuditLog, LoginAttempt, Role, StaffMembership, StaffUser
from core.announcements.models import (
    AnnouncementSent,
    AnnouncementSubscription,
    DealAnnouncement,
)
from core.books.models import CashCount, Delivery, LedgerEntry, QualityReport
from core.calls.models import CallbackState, VoiceCall
from core.carriers.models import CarrierAccount, CarrierTemplate
from core.carriers.voice_models import VoiceTemplate
from core.community.models import ClosedDay, Community, Supplier
from core.conversations.models import Conversation, InboxText
from core.deals.models import Deal, DealStatus, IfShort
from core.helpdesk.models import HelpRequest
from core.messages.models import Direction, Message, MessageKind, MessageStatus
from core.orders.models import Channel, IdempotencyKey, Order, OrderStatus
from core.prices.models import MarketPriceOverride, PriceObservation
from core.residents.models import Resident, ResidentImport
from core.suppliers.models import InspectionVisit
from core.tastings.models import Rating, Tasting, TastingPolicy
from core.teams.models import (
    BargainNote,
    LeaderLogin,
    Team,
    TeamMember,
    TeamMessage,
    TeamReply,
)

__all__ = [
    "AnnouncementSent",
    "AnnouncementSubscription",
    "AuditLog",
    "BargainNote",
    "CallbackState",
    "CarrierAccount",
    "CarrierTemplate",
    "CashCount",
    "Channel",
    "ClosedDay",
    "Community",
    "Conversation",
    "Deal",
    "DealAnnouncement",
    "DealStatus",
    "Delivery",
    "Direction",
    "HelpRequest",
    "IdempotencyKey",
    "IfShort",
    "InboxText",
    "InspectionVisit",
    "LeaderLogin",
    "LedgerEntry",
    "LoginAttempt",
    "MarketPriceOverride",
    "Message",
    "MessageKind",
    "MessageStatus",
    "Order",
    "OrderStatus",
    "PriceObservation",
    "QualityReport",
    "Rating",
    "Resident",
    "ResidentImport",
    "Role",
    "StaffMembership",
    "StaffUser",
    "Supplier",
    "Tasting",
    "TastingPolicy",
    "Team",
    "TeamMember",
    "TeamMessage",
    "TeamReply",
    "VoiceCall",
    "VoiceTemplate",
]
