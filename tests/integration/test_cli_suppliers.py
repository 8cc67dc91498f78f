"""`suppliers list|add`, as an operator types them."""

from __future__ import annotations

from tests.integration.test_cli import app, community, run

__all__ = ["app", "community", "run"]


def test_suppliers_add_then_list(run, community) -> None:  # type: ignore[no-untyped-def]
    assert run("suppliers", "list").output.strip() == "no suppliers"
    added = run(
        "suppliers", "add", "正定蔬菜基地", "--county", "正定",
        "--contact", "赵师傅 13900000001", "--products", "白菜、萝卜",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "added supplier 正定蔬菜基地" in added.output
    assert (
        run("suppliers", "add", "鲁花", "--kind", "brand", "--community", community).exit_code == 0
    )

    listed = run("suppliers", "list", "--community", community)
    assert listed.exit_code == 0
    lines = listed.output.strip().splitlines()
    assert lines[0].split("\t")[:4] == ["鲁花", "brand", "-", "-"]
    assert lines[1].split("\t")[:5] == [
        "正定蔬菜基地",
        "farm_base",
        "正定",
        "白菜、萝卜",
        "赵师傅 13900000001",
    ]
    assert lines[1].endswith("0 deals\tnot visited")


def test_suppliers_add_refuses_a_duplicate_and_a_bad_kind(run, community) -> None:  # type: ignore[no-untyped-def]
    assert run("suppliers", "add", "鲁花", "--kind", "brand").exit_code == 0
    again = run("suppliers", "add", "鲁花")
    assert again.exit_code != 0 and "listed already" in again.output
    assert run("suppliers", "add", "某某", "--kind", "farm").exit_code != 0
    assert run("suppliers", "add", " ").exit_code != 0
