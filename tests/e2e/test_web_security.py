"""Development mode fails closed on the command line too (issue 10, finding 7): a real
`flask` process, started the way an operator starts it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_command_line_says_so_in_one_line_without_a_traceback(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TWILIO_", "MIANHUA_", "SECRET_KEY"))
    }
    env.update(PYTHONPATH=str(REPO), TWILIO_AUTH_TOKEN="a-real-looking-token")
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "routes"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "MIANHUA_ENV=development" in result.stderr
    assert "Traceback" not in result.stderr
