# ruff: noqa: F811  (the fixtures imported from tests.integration.test_cli are parameters here)
"""`residents import` from the command line: every problem is a line of text, never a
traceback (issue 10, finding 2)."""

from __future__ import annotations

import pytest

from tests.integration.test_cli import app, community, run  # noqa: F401  (the CLI's own fixtures)

HEADER = "phone,name,building,unit,room,language,landline\n"


@pytest.fixture
def csv_file(tmp_path):  # type: ignore[no-untyped-def]
    def write(data: str | bytes):  # type: ignore[no-untyped-def]
        path = tmp_path / "residents.csv"
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return str(path)

    return write


def test_a_field_over_the_csv_limit_is_a_polite_line_not_a_csv_error(run, community, csv_file):
    result = run("residents", "import", csv_file(HEADER + "13800138001," + "x" * 140_000 + "\n"))
    assert result.exit_code == 1
    assert "A field on line 2 is far too long; nothing was imported" in result.output
    assert "Traceback" not in result.output and "_csv" not in result.output
    assert "0 added" not in result.output


def test_an_unterminated_quote_imports_nothing_and_says_where(run, community, csv_file):
    rows = "".join(f"1380013800{n},住户{n},1,1,10{n},,\n" for n in range(5))
    result = run("residents", "import", csv_file(HEADER + '13900139000,"王芳,3,2,401,,\n' + rows))
    assert result.exit_code == 1
    assert "The quote opened on line 2 is never closed; nothing was imported" in result.output
    assert "住户" not in run("deals", "list").output  # nothing to see, nothing written


def test_bad_rows_are_named_and_foreign_numbers_need_the_option(run, community, csv_file):
    path = csv_file(
        HEADER
        + "13800138001,王\x00芳,3,2,401,,\n"
        + "13800138002,王芳,3号楼很长很长很长很长,2,401,,\n"
        + "+85291234567,陈先生,1,1,103,,\n"
        + "13800138003,李秀英,1,1,101,,\n"
    )
    result = run("residents", "import", path)
    assert result.exit_code == 0, result.output
    assert "line 2: Contains invisible control characters: 王�芳" in result.output
    assert "line 3: Too long" in result.output
    assert "line 4: Not a number of this community's country: +85291234567" in result.output
    assert "1 added, 0 updated, 3 rows with errors" in result.output
    allowed = run("residents", "import", path, "--allow-other-countries")
    assert "1 added, 1 updated, 2 rows with errors" in allowed.output


def test_a_binary_file_is_refused_with_what_to_do(run, community, csv_file):
    result = run("residents", "import", csv_file(b"PK\x03\x04" + bytes(range(256)) * 8))
    assert result.exit_code == 1
    assert "This is not a CSV file" in result.output and "Traceback" not in result.output


def test_on_postgresql_line_702_of_1200_is_named_and_the_other_1199_stored(
    postgres_url, redis_url, tmp_path
):
    """The finding exactly: it used to store 500 rows, then die with a DataError."""
    from app import create_app
    from core.settings import load_settings

    application = create_app(
        load_settings({"DATABASE_URL": postgres_url, "REDIS_URL": redis_url, "MIANHUA_ENV": "test"})
    )
    try:
        cli = application.test_cli_runner()
        created = cli.invoke(
            args=["community", "create", "--name", "幸福里", "--phone", "+8631188886666"]
        )
        assert created.exit_code == 0, created.output
        lines = [f"1380013{n:04d},住户{n},3,2,{n % 900 + 100},zh,no\n" for n in range(1200)]
        lines[700] = "13900139702," + "长" * 60 + ",3,2,401,zh,no\n"
        path = tmp_path / "residents.csv"
        path.write_text(HEADER + "".join(lines), encoding="utf-8")
        result = cli.invoke(args=["residents", "import", str(path)])
        assert result.exit_code == 0, result.output
        assert "line 702: Too long" in result.output
        assert "1199 added, 0 updated, 1 rows with errors" in result.output
        assert "Traceback" not in result.output and "DataError" not in result.output
    finally:
        application.extensions["mianhua"].close()
