"""pypinyin loaded lean (sms_gateway.pinyin): the same dictionary, a third of the memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sms_gateway.pinyin import lazy_pinyin, phrases_file, read_phrases

ROOT = Path(__file__).resolve().parents[3]


def test_the_phrases_read_lean_are_pypinyins_own() -> None:
    text = phrases_file().read_text("utf-8")
    lean = read_phrases(text)
    assert lean == json.loads(text)
    assert len(lean) > 40_000


def test_every_word_with_a_reading_shares_its_one_list() -> None:
    lean = read_phrases(phrases_file().read_text("utf-8"))
    syllables = [reading for readings in lean.values() for reading in readings]
    distinct = {tuple(reading) for reading in syllables}
    assert len({id(reading) for reading in syllables}) == len(distinct)
    assert len(distinct) * 50 < len(syllables)


def test_words_are_read_by_their_phrase_not_character_by_character() -> None:
    """长 alone is zhang first, 便 bian, 调 diao: the words say chang, pian, tiao."""
    assert lazy_pinyin("长寿面") == ["chang", "shou", "mian"]
    assert lazy_pinyin("便宜") == ["pian", "yi"]
    assert lazy_pinyin("调料") == ["tiao", "liao"]
    assert lazy_pinyin("长") == ["zhang"]


def test_a_fresh_process_loads_the_lean_dictionary_and_leaves_its_environment_alone() -> None:
    script = (
        "import os, sys\n"
        "import sms_gateway.pinyin as p\n"
        "from pypinyin.constants import PHRASES_DICT\n"
        "assert p.lazy_pinyin('薄荷') == ['bo', 'he'], p.lazy_pinyin('薄荷')\n"
        "assert len(PHRASES_DICT) > 40000\n"
        "assert 'pypinyin.phrases_dict' not in sys.modules\n"  # pypinyin's own load
        "assert 'PYPINYIN_NO_PHRASES' not in os.environ\n"
        "assert os.environ.get('PYPINYIN_NO_DICT_COPY') == 'kept'\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYPINYIN_NO_DICT_COPY": "kept"}
    env.pop("PYPINYIN_NO_PHRASES", None)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
