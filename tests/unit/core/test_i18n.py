"""Both languages say everything: a key missing in one catalog is a test failure."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import core
from core.i18n import CatalogError, catalog, t


def test_zh_and_en_hold_the_same_keys():
    assert set(catalog("zh")) == set(catalog("en"))


def test_both_languages_use_the_same_placeholders():
    placeholders = re.compile(r"\{(\w+)\}")
    zh, en = catalog("zh"), catalog("en")
    mismatched = {
        key
        for key in zh
        if set(placeholders.findall(zh[key])) != set(placeholders.findall(en[key]))
    }
    assert mismatched == set()


def test_unknown_language_falls_back_to_chinese():
    assert t("fr", "money", amount="3") == "3元"


def test_unknown_key_is_an_error_not_a_silent_blank():
    with pytest.raises(CatalogError):
        t("zh", "no.such.key")


def test_no_catalog_names_a_key_twice():
    """Two branches adding the same key leave two texts, of which Babel keeps one
    silently: the other wording would never be read."""
    twice: dict[str, list[str]] = {}
    for path in sorted(Path(core.__file__).parent.glob("translations/*/LC_MESSAGES/*.po")):
        keys = re.findall(r'^msgid "(.+)"$', path.read_text(encoding="utf-8"), flags=re.M)
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        if repeated:
            twice[f"{path.parts[-3]}/{path.name}"] = repeated
    assert twice == {}
