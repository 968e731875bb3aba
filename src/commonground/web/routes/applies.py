"""The applicability engine on the web (see commonground.rules).

/{lang}/applies          a form: enter a profile or pick an imported model; results per regime
/{lang}/thresholds       threshold coverage over the Epoch models, with a chart of every line
POST /api/v1/applies     {"profile": {...} | "model": "GPT-4", "as_of": "2025-09-01"} → results
GET  /api/v1/thresholds  the coverage report as JSON
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select

from commonground.errors import Error
from commonground.rules.conditions import MODALITIES, ROLES, format_number
from commonground.rules.evaluate import OUTCOME_LABELS, RuleResult
from commonground.rules.profile import (
    NUMBER_FIELDS,
    Profile,
    find_model,
    from_model,
    profile_from_data,
)
from commonground.rules.regimes import compiled_rules, regime_names
from commonground.store.models import AIModel
from commonground.web import i18n
from commonground.web.charts import SCHEMA
from commonground.web.deps import Lang, SessionDep, TemplatesDep
from commonground.web.labels import N_
from commonground.web.routes.api import ERRORS

router = APIRouter()

FIELD_LABELS = {
    "training_compute_flop": N_("Training compute (FLOP)"),
    "fine_tuning_compute_flop": N_("Fine-tuning compute (FLOP)"),
    "cumulative_compute_flop": N_("Compute including fine-tuning (FLOP)"),
    "compute_cost_usd": N_("Compute cost (USD)"),
    "developer_revenue_usd": N_("Developer's annual revenue (USD)"),
    "users": N_("Users"),
    "eu_business_users": N_("Registered business users in the EU"),
}
RESULT_LABELS = {
    "applies": N_("Applies"),
    "does_not_apply": N_("Does not apply"),
    "not_applicable": N_("Not applicable"),
    "cannot_tell": N_("Cannot tell"),
}
JURISDICTION_CHOICES = ("EU", "US", "US-CA", "US-NY", "CN", "KR", "GB", "JP")


def _day(text: str | None) -> dt.date:
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise Error(f"as_of must be a date (YYYY-MM-DD), not {text!r}") from None


def _tristate(value: str | None) -> bool | None:
    return {"true": True, "false": False}.get((value or "").lower())


def _form_profile(request: Request, session: Any) -> tuple[Profile | None, dict[str, Any]]:
    """The profile from the query string: a model, then any field typed over it."""
    q = request.query_params
    form = {key: q.get(key, "") for key in ("model", "name", "as_of", *NUMBER_FIELDS)}
    form.update(
        {
            "open_weights": q.get("open_weights", ""),
            "biological_sequence_data": q.get("biological_sequence_data", ""),
            "provider_role": q.get("provider_role", ""),
            "modalities": [v for v in q.getlist("modalities") if v],
            "jurisdictions": [v for v in q.getlist("jurisdictions") if v],
            "other_jurisdictions": q.get("other_jurisdictions", ""),
        }
    )
    typed = any(form[k] for k in NUMBER_FIELDS) or form["modalities"] or form["jurisdictions"]
    if not form["model"] and not form["name"] and not typed:
        return None, form
    data: dict[str, Any] = {}
    if form["model"]:
        data = from_model(find_model(session, form["model"])).model_dump(exclude_none=True)
    data["name"] = form["name"] or data.get("name") or "profile"
    for key in NUMBER_FIELDS:
        if form[key].strip():
            data[key] = form[key].strip()
    for key in ("open_weights", "biological_sequence_data"):
        value = _tristate(form[key])
        if value is not None:
            data[key] = value
    if form["provider_role"]:
        data["provider_role"] = form["provider_role"]
    if form["modalities"]:
        data["modalities"] = form["modalities"]
    places = form["jurisdictions"] + form["other_jurisdictions"].replace(",", " ").split()
    if places:
        data["jurisdictions"] = places
    return profile_from_data(data, "profile"), form


def _rows(results: list[RuleResult], lang: str) -> list[dict[str, Any]]:
    names = regime_names()
    zh = lang != "en"
    rows = []
    for r in results:
        name = names[r.regime]
        rows.append(
            {
                "regime": r.regime,
                "regime_name": i18n.localise(name.zh, lang) if zh else name.en,
                "rule": r.rule,
                "result": r.outcome.value,
                "result_label": i18n.gettext(lang, RESULT_LABELS[r.outcome.value]),
                "reason": i18n.localise(r.reason_zh, lang) if zh else r.reason,
                "obligation": i18n.localise(r.obligation_zh, lang) if zh else r.obligation_en,
                "missing": r.missing,
                "provision": r.provision,
            }
        )
    return rows


def _model_choices(session: Any) -> list[str]:
    return list(
        session.scalars(
            select(AIModel.name)
            .where(AIModel.training_compute_flop.is_not(None))
            .order_by(AIModel.name)
        )
    )


@router.get("/{lang}/applies", include_in_schema=False)
def applies_page(
    request: Request, lang: Lang, session: SessionDep, templates: TemplatesDep
) -> Response:
    profile, form = _form_profile(request, session)
    day = _day(form["as_of"] or None)
    rows = []
    if profile is not None:
        facts = profile.facts()
        rows = _rows([r.evaluate(facts, day) for r in compiled_rules()], lang)
    shown = profile.to_dict() if profile else {}
    for key in NUMBER_FIELDS:
        if key in shown:
            shown[key] = format_number(int(shown[key]))
    return templates.render(
        request,
        "applies.html",
        lang,
        {
            "form": form,
            "profile": profile,
            "shown": shown,
            "as_of": day.isoformat(),
            "rows": rows,
            "models": _model_choices(session),
            "field_labels": FIELD_LABELS,
            "modalities": MODALITIES,
            "roles": ROLES,
            "jurisdiction_choices": JURISDICTION_CHOICES,
            "outcomes": OUTCOME_LABELS,
            "section": "applies",
        },
    )


def _coverage(session: Any) -> Any:
    from commonground.rules.coverage import coverage, model_points

    return coverage(model_points(session))


def _plot_height(flop: int) -> float:
    """A y position on the chart: log10 of the exact count. Only drawing uses it; the
    tooltip, the table and every comparison keep the exact integer."""
    return math.log10(flop)


def _chart(report: Any, points: list[Any], lang: str) -> dict[str, Any]:
    """Training compute over time on a log10 axis, with every regime's line."""
    _ = lambda text: i18n.gettext(lang, text)  # noqa: E731
    names = regime_names()
    dots = [
        {
            "name": p.name,
            "organisation": ", ".join(p.organisations),
            "date": p.date.isoformat(),
            "log10_flop": _plot_height(p.compute),
            "flop_text": format_number(p.compute),
            "confidence": _("low or unrated") if p.low_confidence else _("confident or likely"),
        }
        for p in points
        if p.compute and p.date
    ]
    lines = [
        {
            "log10_flop": _plot_height(line.value),
            "label": f"{line.label}: "
            + ", ".join(
                (names[r].en if lang == "en" else i18n.localise(names[r].zh, lang) or "")
                for r in line.regimes
            ),
        }
        for line in report.lines
    ]
    return {
        "$schema": SCHEMA,
        "description": _("Training compute of AI models over time, with each regime's threshold"),
        "width": "container",
        "height": 420,
        "layer": [
            {
                "data": {"values": dots},
                "mark": {"type": "circle", "size": 28, "opacity": 0.7},
                "encoding": {
                    "x": {"field": "date", "type": "temporal", "title": _("Publication date")},
                    "y": {
                        "field": "log10_flop",
                        "type": "quantitative",
                        "scale": {"zero": False},
                        "axis": {"tickMinStep": 1, "labelExpr": "'10^' + datum.value"},
                        "title": _("Training compute (FLOP)"),
                    },
                    "color": {
                        "field": "confidence",
                        "type": "nominal",
                        "title": _("Confidence of the estimate"),
                    },
                    "tooltip": [
                        {"field": "name", "title": _("Model")},
                        {"field": "organisation", "title": _("Organisation")},
                        {"field": "date", "title": _("Date")},
                        {"field": "flop_text", "title": _("Training compute (FLOP)")},
                        {"field": "confidence", "title": _("Confidence of the estimate")},
                    ],
                },
            },
            {
                "data": {"values": lines},
                "mark": {"type": "rule", "strokeDash": [6, 3], "color": "#b22222"},
                "encoding": {"y": {"field": "log10_flop", "type": "quantitative"}},
            },
            {
                "data": {"values": lines},
                "mark": {
                    "type": "text",
                    "align": "left",
                    "dx": 4,
                    "dy": -6,
                    "x": 0,
                    "color": "#b22222",
                },
                "encoding": {
                    "y": {"field": "log10_flop", "type": "quantitative"},
                    "text": {"field": "label"},
                },
            },
        ],
        "config": {"font": "system-ui, 'Noto Sans CJK SC', sans-serif"},
    }


@router.get("/{lang}/thresholds", include_in_schema=False)
def thresholds_page(
    request: Request, lang: Lang, session: SessionDep, templates: TemplatesDep
) -> Response:
    from commonground.rules.coverage import coverage, model_points

    points = model_points(session)
    report = coverage(points)
    years = sorted({y for line in report.lines for y in line.by_year if y is not None})
    names = regime_names()
    return templates.render(
        request,
        "thresholds.html",
        lang,
        {
            "report": report,
            "years": years,
            "spec": _chart(report, points, lang),
            "regime_name": lambda r: (
                names[r].en if lang == "en" else i18n.localise(names[r].zh, lang)
            ),
            "section": "thresholds",
        },
    )


# -- JSON API ------------------------------------------------------------------------------


@router.post("/api/v1/applies", tags=["applicability"], responses=ERRORS)
def applies_api(
    request: Request,
    body: dict[str, Any] = Body(  # noqa: B008
        ...,
        examples=[
            {
                "profile": {
                    "name": "Example",
                    "training_compute_flop": "3 x 10^25",
                    "jurisdictions": ["EU"],
                    "provider_role": "provider",
                    "modalities": ["text"],
                },
                "as_of": "2025-09-01",
            }
        ],
    ),
) -> JSONResponse:
    """Evaluate every regime's rules for a profile (or an imported model) as of a date.

    Numbers may be integers or strings such as "10^25" or "2.1e25" (parsed exactly;
    floats are refused). Exact integers come back as strings."""
    unknown = set(body) - {"profile", "model", "as_of", "regimes"}
    if unknown:
        raise Error(
            f"unknown keys: {', '.join(sorted(unknown))}; use profile, model, as_of, regimes"
        )
    day = _day(body.get("as_of"))
    if ("profile" in body) == ("model" in body):
        raise Error("give either 'profile' (an object) or 'model' (a name)")
    if "model" in body:
        with request.app.state.store.sessions() as session:
            profile = from_model(find_model(session, str(body["model"])))
    else:
        profile = profile_from_data(body["profile"], "profile")
    wanted = body.get("regimes")
    rules = [r for r in compiled_rules() if not wanted or r.rule.regime in wanted]
    facts = profile.facts()
    results = [r.evaluate(facts, day).to_dict() for r in rules]
    return JSONResponse(
        {"ok": True, "as_of": day.isoformat(), "profile": profile.to_dict(), "results": results}
    )


@router.get("/api/v1/thresholds", tags=["applicability"])
def thresholds_api(session: SessionDep) -> JSONResponse:
    """Threshold coverage over the imported models (counts per line and year)."""
    return JSONResponse(_coverage(session).to_dict())
