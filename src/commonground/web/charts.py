"""Vega-Lite chart specifications, built in the page's language, rendered in the
browser by the vendored vega-embed (nothing is fetched from the internet)."""

from __future__ import annotations

from typing import Any

from commonground.web import i18n

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # an identifier, never fetched


def timeline(rows: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """International instruments as points on a time axis, one row per type."""
    _ = lambda text: i18n.gettext(lang, text)  # noqa: E731 - local alias for readability
    return {
        "$schema": SCHEMA,
        "description": _("International instruments, 2019 to today"),
        "width": "container",
        "height": {"step": 22},
        "data": {"values": rows},
        "mark": {"type": "circle", "size": 90, "opacity": 0.85},
        "encoding": {
            "x": {
                "field": "date",
                "type": "temporal",
                "title": _("Date"),
                "axis": {"format": "%Y", "tickCount": "year"},
            },
            "y": {"field": "type_label", "type": "nominal", "title": None, "sort": "-x"},
            "color": {"field": "legal_force_label", "type": "nominal", "title": _("Legal force")},
            "href": {"field": "href"},
            "tooltip": [
                {"field": "name", "title": _("Name")},
                {"field": "date_text", "title": _("Date")},
                {"field": "type_label", "title": _("Type")},
            ],
        },
        "config": {"font": "system-ui, 'Noto Sans CJK SC', sans-serif"},
    }
