"""pypinyin, loaded lean: the one way the SMS reader reaches it.

pypinyin's phrase dictionary (47,000 words, for the readings of words such as 长寿面
(chang, not zhang), 便宜, 调料) is what the reader needs it for beyond single
characters, and it is most of its memory: pypinyin's own load builds a list and a
string for each of the words' 144,000 syllables, 55 MB in every process that reads a
text (a worker is 75 MB without it). Its syllables are 1,249 distinct readings, so the
dictionary is read here from pypinyin's own data file with each reading one shared
list, and handed to pypinyin as a user dictionary (`load_phrases_dict`), which pypinyin
reads the same way (it copies a word's readings before it changes them): 30 MB in all.

pypinyin reads its environment once, on its first import, to leave its dictionary out
(PYPINYIN_NO_PHRASES) and not to copy the dictionaries (PYPINYIN_NO_DICT_COPY, for
those who add none of their own before it is imported). They are set for that import
and put back, so no process this one starts inherits them. If pypinyin was imported
before this module, its own dictionary is there and is used as it is.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

_LEAN = {"PYPINYIN_NO_PHRASES": "1", "PYPINYIN_NO_DICT_COPY": "1"}


def _import_lean() -> None:
    if "pypinyin" in sys.modules:
        return
    before = {name: os.environ.get(name) for name in _LEAN}
    os.environ.update(_LEAN)
    try:
        import pypinyin  # noqa: F401
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


_import_lean()

import pypinyin  # noqa: E402
from pypinyin import lazy_pinyin, load_phrases_dict  # noqa: E402
from pypinyin.constants import PHRASES_DICT, PINYIN_DICT  # noqa: E402

__all__ = ["PINYIN_DICT", "lazy_pinyin", "phrases_file", "read_phrases"]

# pypinyin's phrases_dict.json: {"一丁点儿": [["yī"], ["dīng"], ["diǎn"], ["er"]], ...},
# one word's readings a list of lists of strings (one string a character, more for a
# word read more than one way).
_WORD = re.compile(r'"([^"]+)":\s*\[((?:\s*\[[^\[\]]*\],?)*)\s*\]')
_CHARACTER = re.compile(r"\[([^\[\]]*)\]")
_READING = re.compile(r'"([^"]*)"')


def phrases_file() -> Path:
    return Path(pypinyin.__file__).parent / "phrases_dict.json"


def read_phrases(text: str) -> dict[str, list[list[str]]]:
    """pypinyin's phrase dictionary from the text of its data file, each distinct
    reading one list shared by every word that has it (the test checks the result is
    what json.load makes of the file)."""
    shared: dict[tuple[str, ...], list[str]] = {}
    phrases: dict[str, list[list[str]]] = {}
    for word in _WORD.finditer(text):
        readings = []
        for character in _CHARACTER.finditer(word[2]):
            key = tuple(_READING.findall(character[1]))
            readings.append(shared.setdefault(key, list(key)))
        phrases[word[1]] = readings
    return phrases


if not PHRASES_DICT:  # left out at the import above: read it lean
    load_phrases_dict(read_phrases(phrases_file().read_text("utf-8")))
