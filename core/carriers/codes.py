"""Our names for what a mainland provider answered, short enough for `messages.error_code`.

Aliyun and Tencent name the same refusals differently and at length
(`isv.BUSINESS_LIMIT_CONTROL`, `LimitExceeded.PhoneNumberDailyLimit`); the row keeps one
of these, the provider's own code and words go to `error_detail`, and the staff message
log says each in words (`staff.carrier_error.<code>`).
"""

from __future__ import annotations

#: The number's daily cap with this provider is reached: no retry today can pass.
DAILY_CAP = "cn_cap"
#: A shorter window (30 s, 1 h) is full: it passes, so the send is retried later.
NUMBER_PACE = "cn_pace"
#: Not a number the provider can text.
BAD_NUMBER = "cn_number"
#: The resident is on the provider's do-not-disturb list (replied T / R): treated as opted out.
BLOCKED = "cn_blocked"
#: No template filed for this kind, or the provider refused the template or its values.
TEMPLATE = "cn_tmpl"
#: The signature (签名) is unknown to the provider or not approved.
SIGNATURE = "cn_sign"
#: The account's balance or package is used up, or the account is stopped.
BALANCE = "cn_balance"
#: Our credentials or application id were refused.
AUTH = "cn_auth"
#: The provider asked us to slow down.
THROTTLED = "throttled"
#: The provider failed on its side (5xx, system error).
PROVIDER = "cn_error"
#: A reminder call through a mainland provider: not built yet (issue 12, voice).
NO_VOICE = "cn_voice"
