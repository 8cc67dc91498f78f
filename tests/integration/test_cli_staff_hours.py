"""`community staff-hours` and `community closed-days add|remove|list` from the shell."""

from __future__ import annotations

from tests.integration.test_cli import app, community, run  # noqa: F401  (the CLI tests' fixtures)


def test_closed_days_add_list_remove(run, community):  # type: ignore[no-untyped-def]  # noqa: F811
    added = run("community", "closed-days", "add", "2027-01-04", "--note", "培训")
    assert added.exit_code == 0, added.output
    assert added.output.strip() == "closed on 2027-01-04 (培训)"
    assert run("community", "closed-days", "add", "2027-01-05").exit_code == 0

    listed = run("community", "closed-days", "list")
    assert listed.exit_code == 0
    assert listed.output.splitlines() == [
        "staff hours: 08:30-17:30 (public holidays closed)",
        "2027-01-04  培训",
        "2027-01-05",
    ]
    assert run("community", "closed-days", "remove", "2027-01-05").exit_code == 0
    again = run("community", "closed-days", "remove", "2027-01-05")
    assert again.exit_code != 0 and "not a closed day" in again.output
    bad = run("community", "closed-days", "add", "4 Jan")
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output


def test_staff_hours_show_and_set(run, community):  # type: ignore[no-untyped-def]  # noqa: F811
    assert run("community", "staff-hours").output.strip() == "08:30-17:30"
    week = "mon-fri 08:30-12:00,14:00-17:30; sat 09:00-11:00"
    set_ = run("community", "staff-hours", week)
    assert set_.exit_code == 0 and set_.output.strip() == f"staff hours: {week}"
    assert run("community", "staff-hours").output.strip() == week
    bad = run("community", "staff-hours", "weekdays 9-5")
    assert bad.exit_code != 0 and "mon-fri 08:30-17:30" in bad.output
