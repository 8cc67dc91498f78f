"""The corpus files follow their format, so that the reader is measured, not the files.

A unit test: it reads text files only, and needs no server.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from tests.unit.sms_gateway.corpus.loader import (
    DEAL_SETS,
    KINDS,
    Case,
    CorpusError,
    load_corpus,
    load_file,
)


@cache
def _cases() -> tuple[Case, ...]:
    """Read once, inside the tests, so that a broken file fails a test rather than collection."""
    return tuple(load_corpus())


def test_every_file_parses() -> None:
    assert _cases()


def test_every_kind_has_its_file_and_at_least_100_cases() -> None:
    counts = Counter(case.kind for case in _cases())
    print("corpus cases per kind:", dict(counts), "in all:", len(_cases()))
    assert {kind: counts[kind] >= 100 for kind in KINDS} == dict.fromkeys(KINDS, True)
    assert len(_cases()) >= 600
    dialogs = [case for case in _cases() if len(case.texts) > 1]
    assert len(dialogs) >= 100, "the service asks, the resident answers: dialogs are measured too"


def test_each_case_is_in_the_file_of_its_kind() -> None:
    assert [case for case in _cases() if case.file != f"{case.kind}.txt"] == []


@pytest.mark.parametrize("kind", KINDS)
def test_no_case_is_written_twice_in_a_file(kind: str) -> None:
    seen: dict[tuple[str, ...], str] = {}
    twice = []
    for case in (case for case in _cases() if case.kind == kind):
        key = tuple(case.texts)
        if key in seen:
            twice.append(f"{case.where} repeats {seen[key]}")
        seen.setdefault(key, case.where)
    assert twice == []


def test_each_case_has_texts_and_orders_that_can_stand() -> None:
    problems = [f"{case.where}: {problem}" for case in _cases() for problem in _problems(case)]
    assert problems == []


def _problems(case: Case) -> list[str]:
    """What makes a case impossible: no text, or orders no resident could hold afterwards."""
    deals = {deal.number: deal for deal in DEAL_SETS[case.deals]}
    problems = [] if case.texts and all(text.strip() for text in case.texts) else ["no text"]
    for number, quantity in case.expected.items():
        deal = deals.get(number)
        if deal is None or not deal.is_open:
            problems.append(f"deal {number} is not open")
        elif not 1 <= quantity <= deal.limit:
            problems.append(f"{quantity} of deal {number} is outside 1..{deal.limit}")
        elif deal.left is not None and quantity > deal.left:
            problems.append(f"{quantity} of deal {number}, only {deal.left} left")
    return problems


def test_english_cases_and_both_deal_sets_are_there() -> None:
    assert {case.lang for case in _cases()} == {"zh", "en"}
    assert {case.deals for case in _cases()} == set(DEAL_SETS)


def test_newlines_inside_one_text_are_unescaped() -> None:
    assert any("\n" in text for case in _cases() for text in case.texts)
    assert not any("\\n" in text for case in _cases() for text in case.texts)


# --- the loader refuses what is not the format -------------------------------------------


def _write(tmp_path: Path, body: str, kind: str = "plain") -> Path:
    path = tmp_path / f"{kind}.txt"
    path.write_text(body, encoding="utf-8")
    return path


def test_a_well_formed_file_reads_as_its_cases(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "# comment\n## plain\n\n> 1号2份\n= 1:2\n\n"
        "deals: two_pears\nlang: en\n> pears x2\n> 7\n= 7:2\n~ 10\n~ ya pears\n\n"
        "> 1号2份\\n2号1袋\n= 1:2 2:1\n\n> 核桃两袋\n= -\n",
    )
    assert load_file(path) == [
        Case("plain", "plain.txt", 4, "estate", "zh", ["1号2份"], {1: 2}, []),
        Case("plain", "plain.txt", 7, "two_pears", "en", ["pears x2", "7"], {7: 2},
             ["10", "ya pears"]),
        Case("plain", "plain.txt", 15, "estate", "zh", ["1号2份\n2号1袋"], {1: 2, 2: 1}, []),
        Case("plain", "plain.txt", 18, "estate", "zh", ["核桃两袋"], {}, []),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("## plain\n\n> 1号2份\n", "without its '=' line"),
        ("## plain\n\n> 1号2份\n= 1:2\n= 1:3\n", "a second '=' line"),
        ("## plain\n\n= 1:2\n", "before any '>' text"),
        ("## plain\n\n> 1号2份\n= 1:2\n> 1\n", "a text after the '=' line"),
        ("## plain\n\n> 6号1袋\n= 6:1\n", "deal 6 is not open"),
        ("## plain\n\n> 7号1份\n= 7:1\n", "deal 7 is not open in the set 'estate'"),
        ("## plain\n\n> 1号0份\n= 1:0\n", "not positive"),
        ("## plain\n\n> 1号2份\n= 1:2 1:3\n", "deal 1 twice"),
        ("## plain\n\n> 1号2份\n= 1x2\n", "not deal:quantity"),
        ("## names\n\n> 1号2份\n= 1:2\n", "kind 'names' in the file of 'plain'"),
        ("> 1号2份\n= 1:2\n", "before the file's '## kind' line"),
        ("## plain\n\ndeals: three_pears\n> 1\n= -\n", "unknown deal set"),
        ("## plain\n\nlang: fr\n> 1\n= -\n", "unknown language"),
        ("## plain\n\n> 1\nlang: en\n= -\n", "before the texts"),
        ("## plain\n\n> 1\n~ 15\n= -\n", "'~' before the '=' line"),
        ("## plain\n\n>1号2份\n= 1:2\n", "not a line of the format"),
        ("## plain\n\n>  \n= -\n", "an empty text"),
    ],
)
def test_a_malformed_case_is_named_by_file_and_line(
    tmp_path: Path, body: str, problem: str
) -> None:
    with pytest.raises(CorpusError, match=r"^plain\.txt:[0-9]+: ") as error:
        load_file(_write(tmp_path, body))
    assert problem in str(error.value)
