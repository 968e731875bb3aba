"""Vega-Lite specification for the consensus page: principle coverage per actor, built in the
page's language from `analysis.consensus.coverage_rows` (the rows the CSV twin serves)."""

from __future__ import annotations

from typing import Any

from commonground.web import i18n
from commonground.web.charts import SCHEMA
from commonground.web.labels import N_
from commonground.web.representation_charts import FONT

CONFIRMED = "#1b5e8c"
MACHINE = "#e0a03a"
CONFIRMED_LABEL = N_("Manual or reviewed tags")
MACHINE_LABEL = N_("Machine-made tags, unreviewed")
AXIS_LABEL = N_("Instruments endorsed that express the principle")
TOOLTIP = (N_("Principle"), N_("Actor"), N_("Evidence"), N_("Instruments"))


def _(lang: str, text: str) -> str:
    return i18n.gettext(lang, text)


def coverage(rows: list[dict[str, Any]], lang: str, *, title: str) -> dict[str, Any]:
    """Grouped horizontal bars: for each principle, one bar per actor, the number of endorsed
    instruments that express it, stacked by evidence kind (manual or reviewed / machine-made
    and unreviewed)."""
    confirmed = _(lang, CONFIRMED_LABEL)
    machine = _(lang, MACHINE_LABEL)
    values = []
    principles = list(dict.fromkeys(r["principle_label"] for r in rows))
    for r in rows:
        for kind, count in (
            (confirmed, r["instruments_confirmed"]),
            (machine, r["instruments_machine_unreviewed"]),
        ):
            values.append(
                {
                    "principle": r["principle_label"],
                    "actor": r["actor_label"],
                    "kind": kind,
                    "count": count,
                    "status": r["status"],
                }
            )
    return {
        "$schema": SCHEMA,
        "description": title,
        "width": "container",
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {"field": "principle", "type": "nominal", "title": None, "sort": principles},
            "yOffset": {"field": "actor", "type": "nominal"},
            "x": {
                "aggregate": "sum",
                "field": "count",
                "type": "quantitative",
                "title": _(lang, AXIS_LABEL),
                "axis": {"tickMinStep": 1, "format": "d"},
            },
            "color": {
                "field": "kind",
                "type": "nominal",
                "title": None,
                "scale": {"domain": [confirmed, machine], "range": [CONFIRMED, MACHINE]},
                "legend": {"orient": "bottom"},
            },
            "opacity": {
                "field": "actor",
                "type": "nominal",
                "title": _(lang, "Actor"),
                "scale": {"range": [1, 0.55]},
                "legend": {"orient": "bottom"},
            },
            "tooltip": [
                {"field": "principle", "title": _(lang, "Principle")},
                {"field": "actor", "title": _(lang, "Actor")},
                {"field": "kind", "title": _(lang, "Evidence")},
                {"field": "count", "title": _(lang, "Instruments")},
            ],
        },
        "config": {"font": FONT, "axis": {"labelLimit": 260}},
    }
