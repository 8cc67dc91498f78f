"""Tencent's push URLs: POST /sms/tencent/inbound (replies) and /sms/tencent/report (receipts).

Parsed by providers/tencent/pushes.py and taken in, live or from the spool, the way every
mainland push is (providers/mainland_pushes.py); answered as Tencent expects.
"""

from __future__ import annotations

from providers.mainland_pushes import PushFormat, push_blueprint, spooled
from providers.tencent import pushes

PUSHES = PushFormat("tencent", pushes.replies, pushes.receipts, pushes.ACCEPTED, pushes.REFUSED)
bp = push_blueprint(PUSHES)
#: What takes in the pushes the spool kept while the database was down.
SPOOLED = spooled(PUSHES)
