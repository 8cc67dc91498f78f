"""The message log says a mainland refusal in words, in the staff member's language."""

from __future__ import annotations

from core.carriers import codes
from staff.views.messages import error_reason


def test_each_mainland_code_has_words_in_both_languages(app):  # type: ignore[no-untyped-def]
    ours = [value for name, value in vars(codes).items() if name.isupper()]
    for lang in ("zh", "en"):
        with app.test_request_context(f"/staff/messages?lang={lang}"):
            for code in ours:
                words = error_reason(code, "isv.X: detail")
                assert words.endswith(f"({code})") and "isv.X" not in words, (lang, code)
    with app.test_request_context("/staff/messages?lang=zh"):
        assert error_reason(codes.DAILY_CAP, None) == "已到这个号码今天的短信上限 (cn_cap)"
