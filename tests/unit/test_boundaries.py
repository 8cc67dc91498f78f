"""core/ knows nothing of Flask, Twilio, RQ or Redis: channels and workers come to it."""

from __future__ import annotations

import ast
from pathlib import Path

import core

FORBIDDEN = {"flask", "twilio", "rq", "redis", "flask_login", "flask_wtf"}


def test_core_imports_no_transport():
    offenders = []
    for path in Path(core.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []


def test_core_never_reads_the_environment_outside_settings():
    readers = [
        path.name
        for path in Path(core.__file__).parent.rglob("*.py")
        if "os.environ" in path.read_text(encoding="utf-8") and path.name != "settings.py"
    ]
    assert readers == []
