"""`commonground applies`: which regimes' rules apply to a model or profile, and why.

    commonground applies --model "GPT-4" --as-of 2025-09-01 --jurisdiction EU
    commonground applies --profile profile.yaml --format json
    commonground applies --coverage            # threshold coverage over the Epoch models

Registered in `commonground.cli._register_groups` as a plain command (no import
of `commonground.cli` at module level, so no import cycle).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from commonground.errors import Error


def _as_of(text: str | None) -> dt.date:
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise Error(f"--as-of must be a date (YYYY-MM-DD), not {text!r}") from None


def _overrides(pairs: list[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise Error(f"--set takes FIELD=VALUE, not {pair!r}")
        key, value = key.strip(), value.strip()
        if key in ("modalities", "jurisdictions"):
            found[key] = [v for v in value.replace(",", " ").split() if v]
        elif key in ("open_weights", "biological_sequence_data"):
            if value.lower() not in ("true", "false"):
                raise Error(f"--set {key}= takes true or false, not {value!r}")
            found[key] = value.lower() == "true"
        else:
            found[key] = value
    return found


def coverage_report(database_url: str | None) -> Any:
    from commonground.cli import _store
    from commonground.rules.coverage import coverage, model_points

    with _store(database_url).sessions() as session:
        return coverage(model_points(session))


def _print_coverage(report: Any, out: Any) -> None:
    from rich.table import Table

    out.print(
        f"{report.models} imported models; {report.with_compute} with a compute estimate, "
        f"{report.models - report.with_compute} without (counted as unknown, never below)"
    )
    table = Table(
        "threshold", "regimes", "models", "low conf.", "unknown", "below", "orgs", "countries"
    )
    for line in report.lines:
        c = line.all
        table.add_row(
            line.label,
            ", ".join(line.regimes),
            str(c.models),
            str(c.low_confidence),
            str(c.unknown),
            str(c.total - c.models - c.unknown),
            str(len(c.organisations)),
            str(len(c.countries)),
        )
    out.print(table)
    for line in report.lines:
        out.print(f"{line.label}: countries: {', '.join(sorted(line.all.countries)) or '–'}")
    years = sorted({y for line in report.lines for y in line.by_year if y is not None})
    by_year = Table("threshold", *[str(y) for y in years], title="models (organisations) by year")
    for line in report.lines:
        cells = []
        for y in years:
            c = line.by_year.get(y)
            cells.append(f"{c.models} ({len(c.organisations)})" if c and c.models else "–")
        by_year.add_row(line.label, *cells)
    out.print(by_year)
    claim = report.seed_claim
    out.print(f"[bold]Seed 004[/]: {claim['quote']}\n  ({claim['en']})")
    for d in claim["data"]:
        out.print(
            f"  {d['label_en']} ({d['line']}): {d['organisations']} organisations, "
            f"{d['models']} models ({d['low_confidence']} low-confidence estimates; "
            f"{d['unknown']} models without an estimate)"
        )


def applies(
    model: Annotated[
        str | None, typer.Option("--model", "-m", help="An imported Epoch model, by name or id.")
    ] = None,
    profile: Annotated[
        Path | None, typer.Option("--profile", "-p", help="A YAML profile (see rules.profile).")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Evaluate as of this date (default today).")
    ] = None,
    jurisdiction: Annotated[
        list[str] | None,
        typer.Option(
            "--jurisdiction", "-j", help="Deployed or offered in (EU, US-CA, CN…); repeat."
        ),
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a profile field: FIELD=VALUE (e.g. users=10^6)."),
    ] = None,
    regime: Annotated[
        list[str] | None, typer.Option("--regime", "-r", help="Only these regimes; repeat.")
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table, json or jsonl")] = "table",
    show_coverage: Annotated[
        bool, typer.Option("--coverage", help="Print threshold coverage over the imported models.")
    ] = False,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="SQLAlchemy URL; default: COMMONGROUND_DATABASE_URL or SQLite in the user data dir.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Which regimes' rules apply to a model or profile, as of a date, with reasons."""
    from rich.table import Table

    from commonground.cli import _store, out
    from commonground.rules.evaluate import OUTCOME_LABELS
    from commonground.rules.profile import (
        find_model,
        from_model,
        load_profile,
        profile_from_data,
    )
    from commonground.rules.regimes import compiled_rules

    if format not in ("table", "json", "jsonl"):
        raise Error(f"unknown format {format!r}: use table, json or jsonl")
    if show_coverage:
        report = coverage_report(database_url)
        if format == "table":
            _print_coverage(report, out)
        else:
            sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=1) + "\n")
        return
    if (model is None) == (profile is None):
        raise Error("give either --model NAME or --profile FILE (or --coverage)")
    if profile is not None:
        base = load_profile(profile)
    else:
        with _store(database_url).sessions() as session:
            base = from_model(find_model(session, model or ""))
    extra = _overrides(set_ or [])
    if jurisdiction:
        extra["jurisdictions"] = list(jurisdiction)
    if extra:
        base = profile_from_data({**base.model_dump(exclude_none=True), **extra}, "--set")
    day = _as_of(as_of)
    rules = [r for r in compiled_rules() if not regime or r.rule.regime in regime]
    if regime and not rules:
        raise Error(f"no rules for regime(s) {', '.join(regime)}")
    results = [r.evaluate(base.facts(), day) for r in rules]
    if format in ("json", "jsonl"):
        rows = [{**r.to_dict(), "as_of": day.isoformat(), "profile": base.name} for r in results]
        if format == "jsonl":
            sys.stdout.write("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
        else:
            sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
        return
    out.print(
        f"[bold]{base.name}[/] as of {day}: " + json.dumps(base.to_dict(), ensure_ascii=False)
    )
    table = Table("regime", "rule", "result", "reason", show_lines=True)
    colours = {"applies": "green", "does_not_apply": "blue", "cannot_tell": "yellow"}
    for r in results:
        colour = colours.get(r.outcome.value, "dim")
        table.add_row(
            r.regime,
            r.rule.split("/", 1)[1],
            f"[{colour}]{OUTCOME_LABELS[r.outcome][0]}[/]",
            r.reason,
        )
    out.print(table)
