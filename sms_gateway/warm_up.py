"""What a worker loads when it starts, so its first texts are read as fast as the rest.

Reading the first texts of a fresh process costs far more than the rest: the first
reader job imports the dialog's modules, and with them pypinyin's dictionaries and
OpenCC's tables; the catalogs are parsed from their .po files on the first reply of
each language; the reader's lexicon and regular expressions are built on first use.
About a second of CPU a worker (0.9 s measured on a slow day; bench/text_to_reply.py's
workers spent 15-30% of their first seconds on it), paid while texts wait: after a
deploy, after a worker died and was started again, and in an evening burst that finds
a worker just started.

`warm_up` pays it before the worker listens: it imports the dialog and reads a few
made-up texts against made-up deals with the real reader, touching no database.
"""

from __future__ import annotations

import logging
import time

from core.i18n import LANGUAGES, catalog
from sms_gateway.intent_types import DialogContext
from sms_gateway.products import DealEntry

log = logging.getLogger(__name__)

#: Deals named as residents name them: by title, by alias, in English.
_DEALS = (
    DealEntry(number=1, title_zh="赞皇大枣", title_en="Jujubes", unit="袋", aliases=("红枣",)),
    DealEntry(number=2, title_zh="井陉小米", title_en="Millet", unit="袋"),
    DealEntry(number=3, title_zh="正定苹果", title_en="Apples", unit="箱", aliases=("苹果",)),
)
#: Texts as residents write them: each way of writing the reader rewrites or reads by
#: sound (traditional characters, Chinese numerals, pinyin, English, a misheard name).
_TEXTS = (
    "我要两袋小米",
    "訂1號兩份",
    "ding 2 hao 3 fen",
    "2 bags of millet please",
    "嗯那个平果来一箱",
    "我订了什么",
    "取消3号",
    "什么时候取",
    "谢谢",
)


def warm_up() -> None:
    """Load what reading texts needs (the CPU it took is logged)."""
    started = time.process_time()
    import sms_gateway.conversation  # noqa: F401  # the dialog and all it imports
    from sms_gateway.intents import parse

    for language in LANGUAGES:
        catalog(language)
    context = DialogContext(open_deal_numbers=frozenset(d.number for d in _DEALS), deals=_DEALS)
    for text in _TEXTS:
        parse(text, context)
    log.info("sms: reader warmed up in %.2f s of CPU", time.process_time() - started)
