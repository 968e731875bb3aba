"""Pages for the representation analyses (see commonground.analysis.representation).

/{lang}/representation            several instruments compared (checkboxes pick them)
/{lang}/representation.csv        the data of its charts (?table=states: none/some/all)
/{lang}/representation/{id}       one instrument or body against the reference population
/{lang}/representation/{id}.csv   its charts' data (?table=participants or left_out)
/{lang}/matrix                    countries × instruments, sortable and filterable
/{lang}/matrix.csv                the same rows
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commonground.analysis import representation as rep
from commonground.errors import Error
from commonground.store.models import Instrument, Participation
from commonground.web import i18n, labels
from commonground.web import representation_charts as charts
from commonground.web.deps import Lang, SessionDep, TemplatesDep
from commonground.web.exports import Table, respond
from commonground.web.labels import N_

router = APIRouter()

# The seeds' claims (data/claims.csv) that speak about each instrument's participants.
CLAIMS = {
    "un-hlab-ai": ("claim-009", "claim-010", "claim-011"),
    "bletchley-declaration": ("claim-001",),
    "seoul-declaration": ("claim-002", "claim-003"),
    "seoul-ministerial-statement": ("claim-006",),
    "paris-statement-inclusive-sustainable-ai": ("claim-007", "claim-008"),
    "unga-78-311": ("claim-012",),
    "intl-network-ai-safety-institutes": ("claim-013",),
}
VIA = {
    "state": N_("State"),
    "nationality": N_("By nationality"),
    "unknown": N_("Nationality not stated"),
    "organisation": N_("Organisation, not counted as a state"),
    "not_party": N_("Not counted"),
}
NATIONALITY_BASIS = {
    "stated": N_("stated by the source"),
    "stated_as_birthplace": N_("birthplace stated by the source"),
    "grouped_by_source": N_("grouped under this country by the source"),
    "from_role": N_("inferred from their role"),
    "from_affiliation": N_("inferred from their affiliation"),
    "residence_as_reported": N_("residence as reported"),
    "not_stated": N_("not stated"),
}
SORTS = ("name", "parties", "income", "region")
INCOME_RANK = {"H": 0, "UM": 1, "LM": 2, "L": 3}


def _reference(request: Request) -> str:
    value = request.query_params.get("reference") or "un"
    if value not in rep.REFERENCES:
        raise Error(f"unknown reference population {value!r}: use un or economies")
    return value


def _as_of(request: Request) -> dt.date | None:
    value = request.query_params.get("as_of") or ""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise Error(f"as_of must be a date (YYYY-MM-DD), not {value!r}") from exc


def _chosen(request: Request, session: Session) -> list[str]:
    picked = [v for v in request.query_params.getlist("instrument") if v]
    if picked:
        return list(dict.fromkeys(picked))
    present = set(
        session.scalars(select(Instrument.id).where(Instrument.id.in_(rep.DEFAULT_INSTRUMENTS)))
    )
    return [i for i in rep.DEFAULT_INSTRUMENTS if i in present]


def _choices(session: Session) -> list[tuple[Instrument, int]]:
    """Instruments with at least one participant, for the checkboxes."""
    rows = session.execute(
        select(Instrument, func.count(Participation.id))
        .join(Participation, Participation.instrument_id == Instrument.id)
        .where(Participation.act.in_(sorted(rep.PARTY_ACTS)))
        .group_by(Instrument.id)
        .order_by(Instrument.year, Instrument.name_en)
    ).all()
    return [(inst, n) for inst, n in rows]


def _localised(rows: Iterable[dict[str, Any]], lang: str, keys: Iterable[str]) -> list[dict]:
    keys = tuple(keys)
    found = []
    for row in rows:
        if lang == "zh-Hant":
            row = {k: (i18n.localise(v, lang) if k in keys else v) for k, v in row.items()}
        found.append(row)
    return found


def _share_rows(results, lang: str) -> list[dict]:  # type: ignore[no-untyped-def]
    rows = rep.share_rows(results, "en" if lang == "en" else "zh")
    return _localised(rows, lang, ("instrument_label", "group_label"))


def _csv(columns, rows, name: str) -> Response:  # type: ignore[no-untyped-def]
    return respond(Table(list(columns), iter(rows)), ".csv", name)


def _claims(request: Request, ids: Iterable[str]) -> list:
    wanted = list(ids)
    if not wanted:
        return []
    from commonground.analysis.claims import check_claims

    found = {c.id: c for c in check_claims(request.app.state.store)}
    return [found[i] for i in wanted if i in found]


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "–"


def _seed_figures(result: rep.InstrumentRepresentation, claims: list, lang: str) -> list[dict]:
    """The seed's HLAB figures (claims 009–011) beside the same numbers from our breakdown."""
    if result.instrument_id != "un-hlab-ai":
        return []
    _ = lambda text: i18n.gettext(lang, text)  # noqa: E731
    seed = {c.id: c.expected for c in claims}
    income = result.breakdowns["income"]
    high = income.get("H").participants if income.get("H") else 0  # type: ignore[union-attr]
    upper = income.get("UM").participants if income.get("UM") else 0  # type: ignore[union-attr]
    n, unknown = result.counted, len(result.with_via("unknown"))
    held = n + unknown + len(result.outside_reference)
    expected = result.coverage_expected or held
    known = _("%(n)s of the %(base)s members with a known nationality") % {"n": "%(n)s", "base": n}
    return [
        {
            "label": _("High-income members"),
            "seed": seed.get("claim-009", ""),
            "ours": (known % {"n": high})
            + f" ({_pct(high, n)}); "
            + _("%(held)s of %(expected)s members held, %(unknown)s without a stated nationality")
            % {"held": held, "expected": expected, "unknown": unknown},
        },
        {
            "label": _("High and upper-middle income members"),
            "seed": seed.get("claim-010", ""),
            "ours": (known % {"n": high + upper}) + f" ({_pct(high + upper, n)})",
        },
        {
            "label": _("Countries of the members"),
            "seed": seed.get("claim-011", ""),
            "ours": _("%(n)s distinct countries among the members held")
            % {"n": len(result.countries)},
        },
    ]


def _dimension_title(dimension: str, lang: str) -> str:
    en, zh = rep.DIMENSION_LABELS[dimension]
    return en if lang == "en" else (i18n.localise(zh, lang) or zh)


def _query(request: Request, **overrides: Any) -> str:
    from commonground.web.urls import query

    params: dict[str, Any] = {}
    for key in request.query_params:
        params[key] = request.query_params.getlist(key)
    params.update(overrides)
    return query(params)


# -- several instruments -------------------------------------------------------------------


@router.get("/{lang}/representation.csv", include_in_schema=False)
def representation_csv(request: Request, lang: Lang, session: SessionDep) -> Response:
    group = rep.analyse_group(
        session, _chosen(request, session), reference=_reference(request), as_of=_as_of(request)
    )
    if request.query_params.get("table") == "states":
        rows = []
        for label, countries in (("none", group.none), ("some", group.some), ("all", group.all)):
            for c in countries:
                rows.append(
                    {
                        "party_to": label,
                        "country": c.id,
                        "name": c.name_en if lang == "en" else i18n.localise(c.name_zh, lang),
                    }
                )
        return _csv(("party_to", "country", "name"), rows, "representation-states")
    rows = _share_rows(group.instruments, lang)
    return _csv(rows[0].keys() if rows else ["instrument"], rows, "representation")


@router.get("/{lang}/representation", include_in_schema=False)
def representation_page(
    request: Request, lang: Lang, session: SessionDep, templates: TemplatesDep
) -> Response:
    chosen = _chosen(request, session)
    reference = _reference(request)
    group = (
        rep.analyse_group(session, chosen, reference=reference, as_of=_as_of(request))
        if chosen
        else None
    )
    specs = {}
    if group:
        rows = _share_rows(group.instruments, lang)
        for dimension in ("income", "region"):
            bars, refs = charts.comparison_rows(rows, dimension, lang)
            specs[dimension] = charts.comparison(
                bars, refs, lang, title=_dimension_title(dimension, lang)
            )
    qs = _query(request)
    claim_ids = [c for i in chosen for c in CLAIMS.get(i, ())]
    return templates.render(
        request,
        "representation.html",
        lang,
        {
            "group": group,
            "chosen": chosen,
            "choices": _choices(session),
            "reference": reference,
            "as_of": request.query_params.get("as_of") or "",
            "specs": specs,
            "csv_url": f"/{lang}/representation.csv{qs}",
            "states_csv_url": f"/{lang}/representation.csv" + _query(request, table="states"),
            "matrix_url": f"/{lang}/matrix{qs}",
            "claims": _claims(request, claim_ids),
            "dimension_title": lambda d: _dimension_title(d, lang),
            "rep": rep,
            "labels": labels,
            "section": "representation",
            "alternates": {"csv": f"/{lang}/representation.csv{qs}"},
        },
    )


# -- countries × instruments --------------------------------------------------------------


def _matrix_rows(request: Request, group: rep.GroupRepresentation) -> list[rep.MatrixRow]:
    region = request.query_params.get("region") or ""
    income = request.query_params.get("income") or ""
    status = request.query_params.get("status") or ""
    party = request.query_params.get("party") or ""
    n = len(group.instruments)
    rows = [
        r
        for r in group.rows
        if (not region or region in (r.country.region_code, r.country.subregion_code))
        and (not income or (r.country.income or "none") == income)
        and (not status or getattr(r.country, f"is_{status}", False))
        and (
            not party
            or (party == "none" and r.parties == 0)
            or (party == "some" and 0 < r.parties < n)
            or (party == "all" and r.parties == n)
        )
    ]
    sort = request.query_params.get("sort") or "name"
    if sort not in SORTS:
        raise Error(f"unknown sort {sort!r}: use {', '.join(SORTS)}")
    if sort == "parties":
        rows.sort(key=lambda r: -r.parties)
    elif sort == "income":
        rows.sort(key=lambda r: INCOME_RANK.get(r.country.income or "", 9))
    elif sort == "region":
        rows.sort(key=lambda r: (r.country.region_en or "~", r.country.subregion_en or "~"))
    return rows


@router.get("/{lang}/matrix", include_in_schema=False)
@router.get("/{lang}/matrix.{fmt}", include_in_schema=False)
def matrix_page(
    request: Request, lang: Lang, session: SessionDep, templates: TemplatesDep, fmt: str = ""
) -> Response:
    if fmt and fmt != "csv":
        return templates.not_found(request, lang)
    chosen = _chosen(request, session)
    if not chosen:
        raise Error("name at least one instrument")
    group = rep.analyse_group(session, chosen, reference=_reference(request), as_of=_as_of(request))
    rows = _matrix_rows(request, group)
    if fmt == "csv":
        shown = dataclasses.replace(group, rows=tuple(rows))
        flat = _localised(
            rep.matrix_rows(shown, "en" if lang == "en" else "zh"),
            lang,
            ("name", "region", "subregion"),
        )
        columns = list(flat[0].keys()) if flat else ["country"]
        return _csv(columns, flat, "matrix")
    regions = sorted(
        {
            (r.country.region_code, r.country.region_en, r.country.region_zh)
            for r in group.rows
            if r.country.region_code
        },
        key=lambda x: x[1] or "",
    )
    subregions = sorted(
        {
            (r.country.subregion_code, r.country.subregion_en, r.country.subregion_zh)
            for r in group.rows
            if r.country.subregion_code
        },
        key=lambda x: x[1] or "",
    )
    qs = _query(request)
    return templates.render(
        request,
        "matrix.html",
        lang,
        {
            "group": group,
            "rows": rows,
            "chosen": chosen,
            "choices": _choices(session),
            "regions": regions,
            "subregions": subregions,
            "selected": {
                k: request.query_params.get(k) or ""
                for k in ("region", "income", "status", "party", "sort")
            },
            "reference": group.reference,
            "sort_url": lambda s: f"/{lang}/matrix" + _query(request, sort=s),
            "csv_url": f"/{lang}/matrix.csv{qs}",
            "labels": labels,
            "rep": rep,
            "section": "representation",
            "alternates": {"csv": f"/{lang}/matrix.csv{qs}"},
        },
    )


# -- one instrument ---------------------------------------------------------------------


def _instrument_csv(result: rep.InstrumentRepresentation, table: str, lang: str) -> Response:
    zh = lang != "en"
    name = f"representation-{result.instrument_id.replace('/', '-').replace(':', '-')}"
    if table == "participants":
        rows = [
            {
                "actor": p.actor_id,
                "name": (i18n.localise(p.name_zh, lang) or p.name_en) if zh else p.name_en,
                "kind": p.kind,
                "acts": "/".join(p.acts),
                "counted_as": p.via,
                "country": p.country or "",
                "nationality_basis": p.basis or "",
                "counted": p.counted,
                "partial_list": result.partial,
            }
            for p in result.participants
        ]
        columns = (
            "actor",
            "name",
            "kind",
            "acts",
            "counted_as",
            "country",
            "nationality_basis",
            "counted",
            "partial_list",
        )
        return _csv(columns, rows, f"{name}-participants")
    if table == "left_out":
        rows = [
            {
                "country": c.id,
                "name": (i18n.localise(c.name_zh, lang) or c.name_en) if zh else c.name_en,
                "income": c.income or "",
                "income_period": c.income_period or "",
                "region": ((i18n.localise(c.region_zh, lang) if zh else c.region_en) or ""),
                "subregion": (
                    (i18n.localise(c.subregion_zh, lang) if zh else c.subregion_en) or ""
                ),
                "ldc": c.is_ldc,
                "lldc": c.is_lldc,
                "sids": c.is_sids,
                "partial_list": result.partial,
            }
            for c in result.left_out
        ]
        columns = (
            "country",
            "name",
            "income",
            "income_period",
            "region",
            "subregion",
            "ldc",
            "lldc",
            "sids",
            "partial_list",
        )
        return _csv(columns, rows, f"{name}-left-out")
    if table not in ("", "shares"):
        raise Error(f"unknown table {table!r}: use shares, participants or left_out")
    rows = _share_rows([result], lang)
    return _csv(rows[0].keys() if rows else ["instrument"], rows, name)


@router.get("/{lang}/representation/{instrument_id:path}", include_in_schema=False)
def instrument_page(
    request: Request,
    lang: Lang,
    instrument_id: str,
    session: SessionDep,
    templates: TemplatesDep,
) -> Response:
    fmt = ""
    if instrument_id.endswith(".csv") and session.get(Instrument, instrument_id) is None:
        instrument_id, fmt = instrument_id[: -len(".csv")], "csv"
    result = rep.analyse_instrument(
        session, instrument_id, reference=_reference(request), as_of=_as_of(request)
    )
    if fmt == "csv":
        return _instrument_csv(result, request.query_params.get("table") or "", lang)
    rows = _share_rows([result], lang)
    specs = {
        d: charts.breakdown(
            [r for r in rows if r["dimension"] == d],
            lang,
            title=_dimension_title(d, lang),
            reference=result.reference,
        )
        for d in rep.DIMENSIONS
    }
    qs = _query(request)
    base = f"/{lang}/representation/{instrument_id}.csv"
    claims = _claims(request, CLAIMS.get(instrument_id, ()))
    return templates.render(
        request,
        "representation_instrument.html",
        lang,
        {
            "r": result,
            "specs": specs,
            "reference": result.reference,
            "csv_url": base + qs,
            "participants_csv_url": base + _query(request, table="participants"),
            "left_out_csv_url": base + _query(request, table="left_out"),
            "claims": claims,
            "figures": _seed_figures(result, claims, lang),
            "via_label": lambda v: i18n.gettext(lang, VIA[v]) if v in VIA else v,
            "basis_label": lambda v: (
                i18n.gettext(lang, NATIONALITY_BASIS[v]) if v in NATIONALITY_BASIS else v
            ),
            "dimension_title": lambda d: _dimension_title(d, lang),
            "rep": rep,
            "labels": labels,
            "section": "representation",
            "alternates": {"csv": base + qs},
        },
    )
