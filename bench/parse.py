"""How long the deal-aware reader takes to read one text, with 20 deals open.

Every text of the corpus (tests/unit/sms_gateway/corpus) is read five times by `parse`,
given 20 open deals by name, and each call is timed. The baseline, in the same run,
reads the same texts with the deals known by number only (the number grammar the
reader falls back to, as the service read texts before it knew names), and the bare
normalisation every text goes through. The first reading against a new set of deals
also builds its name index; that is timed on its own. Writes the `parse` section of
docs/BENCHMARKS.md. Goal: p99 under 2 ms.

    .venv/bin/python -m bench.parse
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable

from bench.report import write_section
from sms_gateway import normalize, reader
from sms_gateway.intents import DialogContext, parse
from sms_gateway.products import DealEntry
from tests.unit.sms_gateway.corpus.loader import load_corpus

ROUNDS = 5
DEALS = (
    DealEntry(1, "赵县雪花梨", "Zhaoxian snow pears", "份"),
    DealEntry(2, "蔚县小米", "Yuxian millet", "袋"),
    DealEntry(3, "鲁花花生油", "Luhua peanut oil", "桶"),
    DealEntry(4, "正定蔬菜箱", "Zhengding vegetable box", "箱"),
    DealEntry(5, "高邑土鸡蛋", "Gaoyi free-range eggs", "盒"),
    DealEntry(6, "井陉红富士苹果", "Jingxing Fuji apples", "箱"),
    DealEntry(7, "泊头鸭梨", "Botou ya pears", "份"),
    DealEntry(8, "五常大米", "Wuchang rice", "袋"),
    DealEntry(9, "金龙鱼面粉", "Jinlongyu flour", "袋"),
    DealEntry(10, "高邑红薯", "Gaoyi sweet potatoes", "箱"),
    DealEntry(11, "正定西红柿", "Zhengding tomatoes", "箱"),
    DealEntry(12, "深州蜜桃", "Shenzhou peaches", "箱"),
    DealEntry(13, "加碘食盐", "Iodised salt", "袋"),
    DealEntry(14, "赞皇大枣", "Zanhuang dates", "袋"),
    DealEntry(15, "井陉核桃", "Jingxing walnuts", "袋"),
    DealEntry(16, "海天酱油", "Haitian soy sauce", "瓶"),
    DealEntry(17, "山西老陈醋", "Shanxi vinegar", "瓶"),
    DealEntry(18, "正定大白菜", "Zhengding cabbage", "箱"),
    DealEntry(19, "蒙牛纯牛奶", "Mengniu milk", "箱"),
    DealEntry(20, "达利园点心", "Daliyuan snacks", "盒"),
)
WITH_NAMES = DialogContext(
    open_deal_numbers=frozenset(d.number for d in DEALS), deals=DEALS, orders=((1, 2),)
)
NUMBERS_ONLY = DialogContext(open_deal_numbers=frozenset(d.number for d in DEALS))


def timings(texts: list[str], read: Callable[[str], object]) -> list[float]:
    """Milliseconds per call, each text read ROUNDS times, garbage collection paused."""
    out: list[float] = []
    gc.disable()
    try:
        for _ in range(ROUNDS):
            for text in texts:
                start = time.perf_counter_ns()
                read(text)
                out.append((time.perf_counter_ns() - start) / 1e6)
    finally:
        gc.enable()
    return out


def row(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p50 = ordered[len(ordered) // 2]
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    mean = statistics.fmean(ordered)
    return f"| {name} | {len(values)} | {p50:.3f} | {p99:.3f} | {mean:.3f} | {ordered[-1]:.2f} |"


def main() -> None:
    texts = [text for case in load_corpus() for text in case.texts]
    reader.index_for.cache_clear()
    start = time.perf_counter()
    parse(texts[0], WITH_NAMES)
    cold_ms = (time.perf_counter() - start) * 1000
    parse(texts[0], NUMBERS_ONLY)
    names = timings(texts, lambda text: parse(text, WITH_NAMES))
    numbers = timings(texts, lambda text: parse(text, NUMBERS_ONLY))
    clean = timings(texts, lambda text: normalize.clean(text).casefold())
    p99 = sorted(names)[int(len(names) * 0.99)]
    verdict = "meets it" if p99 < 2 else "misses it"
    table = "\n".join(
        [
            "| reading | texts read | p50 ms | p99 ms | mean ms | max ms |",
            "|---|---|---|---|---|---|",
            row("`parse`, 20 open deals by name (Mianhua)", names),
            row("baseline: `parse`, the same deals by number only", numbers),
            row("baseline: normalisation alone (`normalize.clean`)", clean),
        ]
    )
    write_section(
        "parse",
        f"""## SMS reader: parse time per text (`bench/parse.py`)

Every text of the corpus ({len(texts)} texts, {ROUNDS} rounds) read by the pure reader with
20 open deals known by name, each call timed; the baselines read the same texts in the same
run. The first text against a new set of deals also builds the deals' name index (pinyin,
aliases): {cold_ms:.1f} ms, once per set of deals per worker.

{table}

Goal: p99 under 2 ms with 20 open deals; this run {verdict} (p99 {p99:.3f} ms).""",
    )
    print(table)


if __name__ == "__main__":
    main()
