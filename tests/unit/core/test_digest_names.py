"""A digest lists several deals in one short variable: each by a short name."""

from __future__ import annotations

from core.carriers.digests import DIGEST_NAME_MAX, digest_name
from core.deals.models import Deal


def deal(title_zh: str, *aliases: str, title_en: str = "") -> Deal:
    return Deal(title_zh=title_zh, title_en=title_en, aliases=list(aliases), unit="箱")


def test_a_short_title_is_used_as_it_is():
    assert digest_name(deal("赵县雪花梨"), "zh") == "赵县雪花梨"


def test_a_long_title_gives_way_to_the_fullest_alias_that_fits():
    long = deal("河北赵县精品雪花梨（礼盒装，每箱五斤）", "梨", "雪花梨", "赵县雪花梨礼盒")
    assert digest_name(long, "zh") == "雪花梨"


def test_without_an_alias_that_fits_the_title_is_cut():
    name = digest_name(deal("河北赵县精品雪花梨（礼盒装，每箱五斤）"), "zh")
    assert len(name) == DIGEST_NAME_MAX and name.endswith("…")
    assert name == "河北赵县精…"


def test_english_readers_get_their_title_cut_not_a_chinese_alias():
    pears = deal("河北赵县精品雪花梨礼盒", "雪花梨", title_en="Zhaoxian snow pears, gift box")
    name = digest_name(pears, "en")
    assert name == "Zhaox…"
