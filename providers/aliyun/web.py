"""Aliyun's push URLs: POST /sms/aliyun/inbound (replies) and /sms/aliyun/report (receipts).

Parsed by providers/aliyun/pushes.py and taken in, live or from the spool, the way every
mainland push is (providers/mainland_pushes.py); answered as Aliyun expects.
"""

from __future__ import annotations

from providers.aliyun import pushes
from providers.mainland_pushes import PushFormat, push_blueprint, spooled

PUSHES = PushFormat("aliyun", pushes.replies, pushes.receipts, pushes.ACCEPTED, pushes.REFUSED)
bp = push_blueprint(PUSHES)
#: What takes in the pushes the spool kept while the database was down.
SPOOLED = spooled(PUSHES)
