"""Jinja2 environments, one per language, with the i18n extension and our helpers."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from commonground import __version__
from commonground.web import i18n, labels
from commonground.web.urls import Urls, query, switch_language

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


@lru_cache(maxsize=256)
def static_url(path: str) -> str:
    """A static file's URL with a content hash, so browsers may cache it forever."""
    digest = hashlib.sha256((STATIC / path).read_bytes()).hexdigest()[:10]
    return f"/static/{path}?v={digest}"


def _format_number(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def _label(table: str, value: object, lang: str) -> str:
    """The translated label of an enumerated value (labels.TYPES["law"] → 法律)."""
    text = getattr(labels, table).get(value)
    return i18n.gettext(lang, text) if text else str(value)


class Templates:
    def __init__(self) -> None:
        self.envs: dict[str, Environment] = {}
        for lang in i18n.LANGS:
            env = Environment(
                loader=FileSystemLoader(TEMPLATES),
                autoescape=select_autoescape(["html", "xml"]),
                extensions=["jinja2.ext.i18n"],
                trim_blocks=True,
                lstrip_blocks=True,
            )
            translations = i18n.catalogs()[lang]
            env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
            env.globals.update(
                lang=lang,
                html_lang=i18n.HTML_LANG[lang],
                langs=i18n.LANGS,
                lang_label=i18n.LANG_LABEL,
                urls=Urls(lang),
                static=static_url,
                version=__version__,
                t=lambda obj, name, _lang=lang: i18n.field(obj, name, _lang),
                other=lambda obj, name, _lang=lang: i18n.other_field(obj, name, _lang),
                zh=lambda text, _lang=lang: i18n.localise(text, _lang if _lang != "en" else "zh"),
                query=query,
                L=lambda table, value, _lang=lang: _label(table, value, _lang),
            )
            env.filters["num"] = _format_number
            self.envs[lang] = env

    @staticmethod
    def label(table: str, value: object, lang: str) -> str:
        return _label(table, value, lang)

    def not_found(self, request: Request, lang: str) -> HTMLResponse:
        return self.render(
            request, "error.html", lang, {"status": 404, "message": request.url.path}, 404
        )

    def render(
        self, request: Request, name: str, lang: str, context: dict[str, Any], status: int = 200
    ) -> HTMLResponse:
        env = self.envs[lang]
        switch = {
            other: switch_language(request.url.path, request.url.query, other)
            for other in i18n.LANGS
        }
        html = env.get_template(name).render(request=request, switch=switch, **context)
        return HTMLResponse(html, status_code=status)
