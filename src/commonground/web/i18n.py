"""Languages of the web app: English, simplified Chinese, and traditional Chinese
derived from the simplified text with OpenCC (UI strings and data alike).

UI strings live in Babel message catalogs (`web/locale/zh/LC_MESSAGES/messages.po`,
English msgids); they are compiled in memory at start-up, so no binary `.mo`
files are kept in the repository.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LANGS = ("en", "zh", "zh-Hant")
DEFAULT_LANG = "en"
HTML_LANG = {"en": "en", "zh": "zh-Hans", "zh-Hant": "zh-Hant"}
LANG_LABEL = {"en": "English", "zh": "简体中文", "zh-Hant": "繁體中文"}
LOCALE_DIR = Path(__file__).parent / "locale"


@lru_cache(maxsize=1)
def _s2t():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("s2t")


@lru_cache(maxsize=65536)
def to_traditional(text: str) -> str:
    return _s2t().convert(text)


def localise(text: str | None, lang: str) -> str | None:
    """Chinese text as the language wants it: simplified as stored, or traditional."""
    if text is None or lang != "zh-Hant":
        return text
    return to_traditional(text)


class _Traditional(NullTranslations):
    """The simplified catalog, converted to traditional characters on the way out."""

    def __init__(self, simplified: NullTranslations) -> None:
        super().__init__()
        self._simplified = simplified

    def gettext(self, message: str) -> str:
        return to_traditional(self._simplified.gettext(message))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return to_traditional(self._simplified.ngettext(singular, plural, n))

    # Babel aliases these at class level; Jinja prefers them when present.
    ugettext = gettext
    ungettext = ngettext


@lru_cache(maxsize=1)
def catalogs() -> dict[str, NullTranslations]:
    po = LOCALE_DIR / "zh" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale="zh_Hans")
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    zh = Translations(fp=buffer)
    return {"en": NullTranslations(), "zh": zh, "zh-Hant": _Traditional(zh)}


def gettext(lang: str, message: str) -> str:
    return catalogs()[lang].gettext(message)


def field(obj: Any, name: str, lang: str) -> str | None:
    """`name_en` or `name_zh` (falling back to the other), localised for zh-Hant."""
    en = getattr(obj, f"{name}_en", None)
    zh = getattr(obj, f"{name}_zh", None)
    if lang == "en":
        return en or zh
    return localise(zh, lang) or en


def other_field(obj: Any, name: str, lang: str) -> str | None:
    """The same field in the other language, shown beside it; None if identical or absent."""
    shown = field(obj, name, lang)
    other = getattr(obj, f"{name}_zh" if lang == "en" else f"{name}_en", None)
    if lang == "en":
        other = localise(other, "zh")
    if not other or other == shown:
        return None
    return other


def negotiate(accept_language: str | None) -> str:
    """Pick zh or zh-Hant for Chinese browsers, en otherwise."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag in ("zh-tw", "zh-hk", "zh-mo", "zh-hant") or tag.startswith("zh-hant"):
            return "zh-Hant"
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LANG
