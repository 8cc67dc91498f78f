"""Each provider's SDK is imported in its own edge package and nowhere else."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from core.settings import SettingsError, load_settings

REPO = Path(__file__).resolve().parents[3]
SDKS = {
    "alibabacloud_dysmsapi20170525": "providers/aliyun",
    "alibabacloud_tea_openapi": "providers/aliyun",
    "darabonba": "providers/aliyun",
    "tencentcloud": "providers/tencent",
}
SKIP = {".venv", "tests", "var", "node_modules", ".git"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_sdks_are_imported_only_by_their_own_package():
    offenders = []
    for path in REPO.rglob("*.py"):
        relative = path.relative_to(REPO)
        if relative.parts[0] in SKIP:
            continue
        for name in _imports(path) & SDKS.keys():
            if not str(relative).startswith(SDKS[name] + "/"):
                offenders.append(f"{relative}: {name}")
    assert offenders == []


@pytest.mark.parametrize(
    ("sender", "missing"),
    [("aliyun", "ALIYUN_ACCESS_KEY_SECRET"), ("tencent", "TENCENT_SMS_SDK_APP_ID")],
)
def test_a_mainland_sender_needs_its_credentials(sender, missing):
    env = {
        "SMS_SENDER": sender,
        "ALIYUN_ACCESS_KEY_ID": "id",
        "ALIYUN_ACCESS_KEY_SECRET": "secret",
        "TENCENT_SECRET_ID": "id",
        "TENCENT_SECRET_KEY": "key",
        "TENCENT_SMS_SDK_APP_ID": "1400",
    }
    del env[missing]
    with pytest.raises(SettingsError, match=missing):
        load_settings(env)
    with pytest.raises(SettingsError, match="SMS_SENDER must be one of"):
        load_settings({"SMS_SENDER": "huawei"})
