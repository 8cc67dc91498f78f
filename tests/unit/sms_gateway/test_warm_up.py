"""A worker loads what reading needs before it listens (sms_gateway.warm_up)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_after_the_warm_up_the_first_texts_load_nothing_more() -> None:
    """In a fresh process: warmed up, then the reader reads texts of every kind and the
    replies are worded in both languages, and no module is imported, no catalog read."""
    script = """
import sys
from core.i18n import catalog
from sms_gateway.warm_up import warm_up
warm_up()
assert catalog.cache_info().currsize == 2
before = set(sys.modules)
from sms_gateway.intents import parse
from sms_gateway.intent_types import DialogContext
from sms_gateway.products import DealEntry
deals = (DealEntry(number=4, title_zh="长寿面", title_en="Noodles", unit="包"),
         DealEntry(number=5, title_zh="富硒小米", title_en="Selenium millet", unit="袋"))
context = DialogContext(open_deal_numbers=frozenset({4, 5}), deals=deals)
for text in ("changshoumian 2 bao", "來兩包長壽麵", "two bags of millet", "5号三袋", "嗯那个",
             "取消", "我订了什么", "help"):
    parse(text, context)
from core.i18n import t
t("zh", "sms.help"), t("en", "sms.help")
new = sorted(set(sys.modules) - before)
assert not new, new
assert catalog.cache_info().currsize == 2
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
