"""`templates check`: a filed template against its provider's rules, before the operator
files it with Aliyun or Tencent and waits hours for a refusal.

The rules (shared/CHINA-PROVIDERS.md, from each provider's template specification): the
whole text is counted with the signature (【签名】) and every variable at its longest;
variable values are short and may hold no links or phone numbers; variables never sit
next to each other and never make up the whole text; no 【】, no special symbols, no
traditional characters; contact numbers only as fixed text, and no mobile numbers at
all; promotional texts end with 回T退订, and notifications carry no 拒收请回复R.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from core.carriers.filling import VARIABLE_LIMIT
from core.carriers.keys import is_promotional
from core.carriers.models import Carrier
from core.carriers.services import TemplateView
from core.carriers.variables import MAY_HOLD_NUMBERS, VARIABLES, longest

#: The most one text may hold, signature and variables included (both providers).
MAX_TEXT_CHARS = 500
#: One SMS holds 70 characters with the signature; longer ones are billed per 67.
SINGLE, PART = 70, 67
UNSUBSCRIBE = ("回T退订", "回复T退订")
REFUSE_R = "拒收请回复R"
SYMBOLS = set("①②③④⑤⑥⑦⑧⑨⑩★☆※→←↑↓■□▲△●○◆◇♥♡✔✘")
_LINK = re.compile(r"(?i)(https?://|www\.|\b[a-z0-9-]+\.(?:com|cn|net|org|top|xyz)\b)")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_FIXED_LINE = re.compile(r"(?<!\d)(?:0\d{2,3}-?\d{7,8}|400-?\d{3}-?\d{4}|95\d{3,6})(?!\d)")


@dataclass(frozen=True)
class ProviderRules:
    variable: re.Pattern[str]
    max_variable_chars: int


RULES: dict[str, ProviderRules] = {
    Carrier.ALIYUN: ProviderRules(re.compile(r"\$\{(\w+)\}"), VARIABLE_LIMIT[Carrier.ALIYUN]),
    Carrier.TENCENT: ProviderRules(re.compile(r"\{(\d+)\}"), VARIABLE_LIMIT[Carrier.TENCENT]),
}


@dataclass(frozen=True)
class Finding:
    """One rule a template breaks (`error`) or should be looked at for (a warning)."""

    rule: str  # the catalog key's last part: staff.templates.check.<rule>
    error: bool
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Checked:
    template: TemplateView
    longest: int  # characters at the longest, signature included
    segments: int
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return not any(f.error for f in self.findings)


def check_template(
    template: TemplateView, *, sign_name: str, known: dict[str, str] | None = None
) -> Checked:
    """`known`: variables whose value is already fixed (the community's name), counted as
    they are; every other variable is counted at its longest."""
    rules = RULES[template.provider]
    sizes = {
        name: longest(name, rules.max_variable_chars) if name in VARIABLES else 0
        for name in template.variables
    }
    sizes.update({name: len(value) for name, value in (known or {}).items() if name in sizes})
    text = template.template_text
    found: list[Finding] = []
    if not text:
        return Checked(template, 0, 0, (Finding("no_text", True),))
    found += _variables_match(template, rules)
    fixed = rules.variable.sub("", text)
    if not fixed.strip():
        found.append(Finding("all_variables", True))
    if re.search(r"\}\s*(\$\{|\{)", text):
        found.append(Finding("adjacent", True))
    if "【" in text or "】" in text:
        found.append(Finding("brackets", True))
    symbols = sorted({ch for ch in text if ch in SYMBOLS})
    if symbols:
        found.append(Finding("symbols", True, {"symbols": "".join(symbols)}))
    if _traditional(fixed):
        found.append(Finding("traditional", True))
    if _LINK.search(fixed):
        found.append(Finding("link", True))
    if _MOBILE.search(fixed):
        found.append(Finding("mobile", True))
    if len(_FIXED_LINE.findall(fixed)) > 2:
        found.append(Finding("numbers", True))
    for name in template.variables:
        chars = sizes[name]
        if chars > rules.max_variable_chars:
            limit = rules.max_variable_chars
            found.append(
                Finding("variable_long", True, {"name": name, "chars": chars, "limit": limit})
            )
        if name in MAY_HOLD_NUMBERS:
            found.append(Finding("variable_numbers", False, {"name": name}))
    promotional = is_promotional(template.kind)
    if promotional and not text.rstrip().endswith(UNSUBSCRIBE):
        found.append(Finding("unsubscribe", True))
    if not promotional and REFUSE_R in text:
        found.append(Finding("refuse_r", True))
    most = len(f"【{sign_name}】") + len(fixed) + sum(sizes.values())
    if most > MAX_TEXT_CHARS:
        found.append(Finding("too_long", True, {"chars": most, "limit": MAX_TEXT_CHARS}))
    segments = 1 if most <= SINGLE else -(-most // PART)
    if segments > 2:
        found.append(Finding("segments", False, {"segments": segments}))
    return Checked(template, most, segments, tuple(found))


def _variables_match(template: TemplateView, rules: ProviderRules) -> list[Finding]:
    named = rules.variable.findall(template.template_text)
    if template.provider == Carrier.TENCENT:
        expected = [str(i) for i in range(1, len(template.variables) + 1)]
        if sorted(set(named), key=int) != expected:
            return [Finding("variables", True, {"want": "".join(f"{{{n}}}" for n in expected)})]
        return []
    if set(named) != set(template.variables):
        want = "".join(f"${{{n}}}" for n in template.variables)
        return [Finding("variables", True, {"want": want})]
    return []


@cache
def _converter():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("t2s")


def _traditional(text: str) -> bool:
    """Traditional characters: the providers refuse them in a mainland template."""
    return _converter().convert(text) != text
