"""The walls between the packages, checked by reading every product module's imports.

Each wall is one row of WALLS: whose imports it checks, what they may not import, and
who stands outside it. The check reads the source (ast), so it sees imports inside
functions and under TYPE_CHECKING too, and imports nothing it checks.
"""

from __future__ import annotations

import ast
import fnmatch
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

import core

REPO = Path(__file__).resolve().parents[2]
#: Not product code: the virtualenv, the tests (which may import anything), run-time files.
NOT_PRODUCT = {".venv", "tests", "var", "node_modules", ".git", "docs", "scripts"}

CHANNELS = ("sms_gateway", "ivr", "staff", "simulator")
SDKS = ("twilio", "alibabacloud*", "darabonba*", "tencentcloud*", "rq", "redis")
WEB = ("flask", "flask_*", "werkzeug")
#: What may build the Flask app: the app itself, the worker's and the servers' entry
#: points, the benches and the migrations' environment (tests are not product code).
ENTRY_POINTS = ("app", "workers.__main__", "bench", "migrations.env", "wsgi")


@dataclass(frozen=True)
class Wall:
    """`inside` (module prefixes, "*" for all) may not import `forbidden` (patterns),
    except the modules under `exempt`."""

    name: str
    inside: tuple[str, ...]
    forbidden: tuple[str, ...]
    exempt: tuple[str, ...] = ()


WALLS = [
    Wall(
        "core imports no channel, worker, provider, SDK or web framework",
        inside=("core",),
        forbidden=(*CHANNELS, "spool", "workers", "providers", *SDKS, *WEB),
    ),
    *(
        Wall(
            f"{channel} imports no other channel and no worker",
            inside=(channel,),
            forbidden=(*(other for other in CHANNELS if other != channel), "workers"),
        )
        for channel in CHANNELS
        if channel != "simulator"
    ),
    Wall(
        "channels reach carriers only through core/ports",
        inside=tuple(channel for channel in CHANNELS if channel != "simulator"),
        forbidden=("providers",),
    ),
    # The simulator is the development phone: a staff page (so it uses staff's login)
    # that posts to our webhooks as a carrier would (so it signs as the provider does,
    # through the provider package). It reads no text and runs no menu itself.
    Wall(
        "the simulator plays a carrier: no reader, no menu, no worker, no SDK",
        inside=("simulator",),
        forbidden=("sms_gateway", "ivr", "workers", *SDKS),
    ),
    Wall("workers import no channel", inside=("workers",), forbidden=(*CHANNELS, "spool")),
    Wall("nothing but entry points imports app", ("*",), ("app",), exempt=ENTRY_POINTS),
    # The benches, like the tests, play Twilio's part: they sign requests with its SDK.
    Wall("twilio only in providers/twilio", ("*",), ("twilio",), ("providers.twilio", "bench")),
    Wall(
        "alibabacloud only in providers/aliyun",
        ("*",),
        ("alibabacloud*", "darabonba*"),
        exempt=("providers.aliyun",),
    ),
    Wall(
        "tencentcloud only in providers/tencent",
        ("*",),
        ("tencentcloud*",),
        exempt=("providers.tencent",),
    ),
]

#: Breaches allowed, "module -> import": none. A new one fails the test.
KNOWN: set[str] = set()


@cache
def product_modules() -> tuple[tuple[str, Path], ...]:
    """Every product module as (dotted name, path), read once for every wall."""
    return tuple(_modules())


def _modules():  # type: ignore[no-untyped-def]
    for path in sorted(REPO.rglob("*.py")):
        relative = path.relative_to(REPO)
        if relative.parts[0] in NOT_PRODUCT or relative.parts[:2] == ("migrations", "versions"):
            continue
        parts = list(relative.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        yield ".".join(parts), path


@cache
def imports_of(module: str, path: Path) -> frozenset[str]:
    """The dotted names a module imports, relative imports resolved against its package."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                target = ".".join(part for part in (base, node.module) if part)
                found |= {f"{target}.{alias.name}" for alias in node.names}
            elif node.module:
                found.add(node.module)
    return frozenset(found)


def under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(p == "*" or name == p or name.startswith(p + ".") for p in prefixes)


def matches(name: str, patterns: tuple[str, ...]) -> bool:
    top = name.split(".")[0]
    return any(fnmatch.fnmatchcase(top, p) if "*" in p else under(name, (p,)) for p in patterns)


def breaches(wall: Wall) -> set[str]:
    return {
        f"{module} -> {name}"
        for module, path in product_modules()
        if under(module, wall.inside) and not under(module, wall.exempt)
        for name in imports_of(module, path)
        if matches(name, wall.forbidden)
    }


@pytest.mark.parametrize("wall", WALLS, ids=[wall.name for wall in WALLS])
def test_the_wall_holds(wall: Wall) -> None:
    found = breaches(wall)
    for breach in sorted(found):
        print(f"{wall.name}: {breach}{'' if breach in KNOWN else '  (NEW)'}")
    assert found <= KNOWN, f"{wall.name}: new breaches {sorted(found - KNOWN)}"


def test_the_check_sees_what_it_is_meant_to_see() -> None:
    """A wall that read no module would pass forever: the reader finds real imports."""
    modules = dict(product_modules())
    assert {"core", "app", "sms_gateway.intents", "workers"} <= modules.keys()
    assert "core.db" in {n for n in imports_of("core.context", modules["core.context"])}
    assert matches("flask_login.utils", WEB) and matches("werkzeug.security", WEB)
    assert matches("alibabacloud_dysmsapi20170525.client", SDKS)
    assert not matches("apple", ("app",)) and matches("app", ("app",))


def test_core_never_reads_the_environment_outside_settings():
    readers = [
        path.name
        for path in Path(core.__file__).parent.rglob("*.py")
        if "os.environ" in path.read_text(encoding="utf-8") and path.name != "settings.py"
    ]
    assert readers == []
