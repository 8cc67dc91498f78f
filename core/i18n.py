"""Message catalogs: every text a resident or staff member reads or hears.

The catalogs are Babel `.po` files under `core/translations/<lang>/LC_MESSAGES/`.
Each channel keeps its own file there (messages.po, sms.po, ivr.po, ...); all of a
language's files form one catalog, keyed by message ids such as `order.placed`,
with `{name}` placeholders filled by `str.format`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).parent / "translations"
LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"


class CatalogError(RuntimeError):
    pass


@cache
def catalog(language: str) -> dict[str, str]:
    """All texts of one language, read once per process."""
    folder = TRANSLATIONS / language / "LC_MESSAGES"
    texts: dict[str, str] = {}
    for path in sorted(folder.glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale=language):
                if not message.id or not message.string:
                    continue
                key = str(message.id)
                if key in texts:
                    raise CatalogError(f"{key} is defined twice in the {language} catalog")
                texts[key] = str(message.string)
    return texts


def t(language: str, key: str, /, **params: object) -> str:
    """The text `key` in `language` (zh when the language is unknown), with params filled."""
    lang = language if language in LANGUAGES else DEFAULT_LANGUAGE
    texts = catalog(lang)
    template = texts.get(key)
    if template is None:
        template = catalog(DEFAULT_LANGUAGE).get(key)
    if template is None:
        raise CatalogError(f"no text {key!r} in the {lang} catalog")
    return template.format(**params) if params else template
