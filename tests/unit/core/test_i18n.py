"""Both languages say everything: a key missing in one catalog is a test failure."""

from __future__ import annotations

import re

import pytest

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
