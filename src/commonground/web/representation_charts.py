"""Vega-Lite specifications for the representation pages, built in the page's language
from the rows of `analysis.representation.share_rows` (the same rows the CSV twins
serve). Rendered by static/charts.js with the vendored Vega libraries; vega-embed's
menu offers each chart as SVG and PNG."""

from __future__ import annotations

from typing import Any

from commonground.web import i18n
from commonground.web.charts import SCHEMA

FONT = "system-ui, 'Noto Sans CJK SC', 'Noto Sans CJK TC', sans-serif"
# Colour-blind-safe, ordered from high to low income (and reused for other dimensions).
PALETTE = [
    "#1b5e8c",
    "#4a98c9",
    "#e0a03a",
    "#b5461f",
    "#9e9e9e",
    "#6b8e23",
    "#7b4f9d",
    "#c2185b",
    "#00897b",
    "#5d4037",
    "#455a64",
    "#afb42b",
    "#8d6e63",
    "#3949ab",
    "#f06292",
    "#26a69a",
    "#ff7043",
    "#78909c",
    "#9ccc65",
    "#ab47bc",
    "#ffa726",
    "#29b6f6",
    "#d4e157",
]


def _tr(lang: str):  # type: ignore[no-untyped-def]
    """gettext in `lang`, bound as `_` so that pybabel extracts the strings."""
    return lambda text: i18n.gettext(lang, text)


def comparison(
    rows: list[dict[str, Any]],
    reference_rows: list[dict[str, Any]],
    lang: str,
    *,
    title: str,
) -> dict[str, Any]:
    """One horizontal 100% bar per instrument (and one per reference population),
    stacked by group: the cross-instrument chart."""
    _ = _tr(lang)
    values = [
        {
            "bar": r["bar"],
            "group": r["group_label"],
            "order": r["order"],
            "count": r["count"],
            "base": r["base"],
            "share": r["share"],
            "ratio": r["ratio"],
            "partial": _("partial list") if r.get("partial") else "",
        }
        for r in [*rows, *reference_rows]
    ]
    bars = list(dict.fromkeys(v["bar"] for v in values))
    partial = any(r.get("partial") for r in rows)
    groups = [g for _o, g in sorted({(v["order"], v["group"]) for v in values}, key=lambda x: x[0])]
    groups = list(dict.fromkeys(groups))
    return {
        "$schema": SCHEMA,
        "description": title,
        "title": {
            "text": title,
            "subtitle": _("* partial list: shares of the named participants only")
            if partial
            else "",
        },
        "width": "container",
        "height": {"step": 26},
        "autosize": {"type": "fit-x", "contains": "padding"},
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {"field": "bar", "type": "nominal", "title": None, "sort": bars},
            "x": {
                "aggregate": "sum",
                "field": "share",
                "type": "quantitative",
                "stack": "normalize",
                "title": _("Share of participants"),
                "axis": {"format": ".0%", "tickCount": 5},
            },
            "color": {
                "field": "group",
                "type": "nominal",
                "title": None,
                "sort": groups,
                "scale": {"domain": groups, "range": PALETTE[: len(groups)]},
                "legend": {"orient": "bottom", "columns": 3, "labelLimit": 260},
            },
            "order": {"field": "order", "type": "quantitative"},
            "tooltip": [
                {"field": "bar", "title": _("Instrument")},
                {"field": "group", "title": _("Group")},
                {"field": "count", "title": _("Count")},
                {"field": "base", "title": _("Of")},
                {"field": "share", "title": _("Share"), "format": ".1%"},
                {"field": "ratio", "title": _("Representation ratio"), "format": ".2f"},
                {"field": "partial", "title": _("Note")},
            ],
        },
        "config": {"font": FONT, "axis": {"labelLimit": 320}},
    }


def comparison_rows(
    share_rows: list[dict[str, Any]], dimension: str, lang: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Bars for the instruments and for the reference population (one per fiscal year used)."""
    _ = _tr(lang)
    order: dict[str, int] = {}
    bars, references = [], {}
    ref_label = {
        "un": _("UN member states"),
        "economies": _("All classified economies"),
    }
    for r in share_rows:
        if r["dimension"] != dimension:
            continue
        order.setdefault(r["group"], len(order))
        label = r["instrument_label"] + (" *" if r["partial"] else "")
        bars.append(
            {
                "bar": label,
                "group_label": r["group_label"],
                "order": order[r["group"]],
                "count": r["participants"],
                "base": r["participant_base"],
                "share": r["participant_share"] or 0,
                "ratio": r["ratio"],
                "partial": r["partial"],
            }
        )
        key = (r["fiscal_year"] if dimension == "income" else "", r["group"])
        name = ref_label.get(r["reference"], r["reference"])
        if dimension == "income" and r["fiscal_year"]:
            name += f" ({r['fiscal_year']})"
        references.setdefault(
            key,
            {
                "bar": name,
                "group_label": r["group_label"],
                "order": order[r["group"]],
                "count": r["reference_count"],
                "base": r["reference_base"],
                "share": r["reference_share"] or 0,
                "ratio": 1.0,
                "partial": False,
            },
        )
    return bars, list(references.values())


def breakdown(
    rows: list[dict[str, Any]], lang: str, *, title: str, reference: str
) -> dict[str, Any]:
    """One instrument, one dimension: participants' and reference shares side by side."""
    _ = _tr(lang)
    ours, theirs = (
        _("Participants"),
        {
            "un": _("UN member states"),
            "economies": _("All classified economies"),
        }.get(reference, reference),
    )
    values = []
    groups = []
    for r in rows:
        groups.append(r["group_label"])
        for series, count, base, share in (
            (ours, r["participants"], r["participant_base"], r["participant_share"]),
            (theirs, r["reference_count"], r["reference_base"], r["reference_share"]),
        ):
            values.append(
                {
                    "group": r["group_label"],
                    "series": series,
                    "count": count,
                    "base": base,
                    "share": share or 0,
                    "ratio": r["ratio"],
                }
            )
    return {
        "$schema": SCHEMA,
        "description": title,
        "title": {
            "text": title,
            "subtitle": _("Partial list: shares of the named participants only")
            if any(r.get("partial") for r in rows)
            else "",
        },
        "width": "container",
        "height": 240,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {
                "field": "group",
                "type": "nominal",
                "title": None,
                "sort": groups,
                "axis": {"labelAngle": -30, "labelLimit": 180},
            },
            "xOffset": {"field": "series", "sort": [ours, theirs]},
            "y": {
                "field": "share",
                "type": "quantitative",
                "title": _("Share"),
                "axis": {"format": ".0%"},
            },
            "color": {
                "field": "series",
                "type": "nominal",
                "title": None,
                "sort": [ours, theirs],
                "scale": {"domain": [ours, theirs], "range": [PALETTE[0], PALETTE[4]]},
                "legend": {"orient": "top"},
            },
            "tooltip": [
                {"field": "group", "title": _("Group")},
                {"field": "series", "title": _("Series")},
                {"field": "count", "title": _("Count")},
                {"field": "base", "title": _("Of")},
                {"field": "share", "title": _("Share"), "format": ".1%"},
                {"field": "ratio", "title": _("Representation ratio"), "format": ".2f"},
            ],
        },
        "config": {"font": FONT},
    }
