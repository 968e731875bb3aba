"""`commonground analyse representation INSTRUMENT…`: who takes part, from the command line.

Prints each instrument's breakdowns (income group as of its date, M49 region and
sub-region, LDC / LLDC / SIDS) beside the reference population, with representation
ratios, who is left out, and — for several instruments — which states are party to
none, some or all of them. `--format json` prints the numbers and lists for other
tools; `--charts DIR` writes the charts (Vega-Lite JSON and their data as CSV; SVG and
PNG too where the optional `vl-convert-python` package is installed).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from commonground.cli.analyse import app
from commonground.errors import Error

PARTIAL = (
    "PARTIAL LIST: shares are of the named participants only; 'left out' = not named in our list"
)


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


def _ratio(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def _print_instrument(out, r) -> None:  # type: ignore[no-untyped-def]
    from commonground.analysis.representation import DIMENSION_LABELS, REFERENCES

    out.rule(f"[bold]{r.instrument_id}[/] — {r.name_en}")
    if r.partial:
        expected = f" (sources report {r.coverage_expected})" if r.coverage_expected else ""
        out.print(f"[bold red]{PARTIAL}{expected}[/]")
    date = r.as_of.isoformat() if r.as_of else "no date"
    nearest = (
        f" — {r.fiscal_year_wanted} not held, nearest earlier classification used"
        if r.income_nearest
        else ""
    )
    out.print(
        f"as of {date} ({r.date_basis}); income groups: World Bank {r.fiscal_year_used or '–'}"
        f"{nearest}; reference: {REFERENCES[r.reference][0]} ({r.reference_size})"
    )
    out.print(
        f"{r.counted} participants counted, from {len(r.countries)} countries"
        + (" (members counted through their nationality)" if r.individuals else "")
    )
    for dimension, b in r.breakdowns.items():
        table = Table(
            DIMENSION_LABELS[dimension][0],
            "participants",
            "share",
            "reference",
            "ref. share",
            "ratio",
            title=f"{DIMENSION_LABELS[dimension][0]} ({b.base} counted; {b.reference_base} in reference)",
        )
        for s in b.shares:
            table.add_row(
                s.label_en,
                str(s.participants),
                _pct(s.participant_share),
                str(s.reference),
                _pct(s.reference_share),
                _ratio(s.ratio),
            )
        out.print(table)
    for via, title in (
        ("unknown", "nationality not stated (not counted)"),
        ("organisation", "organisations (not counted as states)"),
        ("not_party", "did not take part (refused, withdrew, observer)"),
    ):
        found = r.with_via(via)
        if found:
            out.print(f"{title}: " + ", ".join(p.actor_id for p in found))
    if r.outside_reference:
        out.print(
            "outside the reference population: "
            + ", ".join(p.actor_id for p in r.outside_reference)
        )
    out.print(
        f"left out ({len(r.left_out)} of {r.reference_size}"
        + (", partial list" if r.partial else "")
        + "): "
        + ", ".join(c.id for c in r.left_out)
    )


def _write_charts(directory: Path, group, lang: str) -> list[Path]:  # type: ignore[no-untyped-def]
    from commonground.analysis.representation import share_rows
    from commonground.web import representation_charts as charts

    directory.mkdir(parents=True, exist_ok=True)
    rows = share_rows(group.instruments, "en" if lang == "en" else "zh")
    written: list[Path] = []
    data = directory / "representation.csv"
    with data.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0].keys()) if rows else ["instrument"])
        writer.writeheader()
        writer.writerows(rows)
    written.append(data)
    specs: dict[str, dict[str, Any]] = {}
    for dimension in ("income", "region", "subregion", "status"):
        bars, refs = charts.comparison_rows(rows, dimension, lang)
        specs[f"representation-{dimension}"] = charts.comparison(bars, refs, lang, title=dimension)
    try:
        import vl_convert  # type: ignore[import-not-found]
    except ImportError:
        vl_convert = None
    for name, spec in specs.items():
        spec = {**spec, "width": 640}
        path = directory / f"{name}.vl.json"
        path.write_text(json.dumps(spec, ensure_ascii=False, indent=1), encoding="utf-8")
        written.append(path)
        if vl_convert is not None:
            svg = directory / f"{name}.svg"
            svg.write_text(vl_convert.vegalite_to_svg(spec), encoding="utf-8")
            png = directory / f"{name}.png"
            png.write_bytes(vl_convert.vegalite_to_png(spec, scale=2))
            written += [svg, png]
    return written


@app.command()
def representation(
    instruments: Annotated[
        list[str] | None,
        typer.Argument(
            help="Instrument or body ids; default: the eight the representation page compares.",
            show_default=False,
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Date (YYYY-MM-DD) for income groups; default: each instrument's."
        ),
    ] = None,
    reference: Annotated[
        str, typer.Option(help="Reference population: un (UN member states) or economies.")
    ] = "un",
    format: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
    charts: Annotated[
        Path | None,
        typer.Option(
            "--charts",
            help="Folder to write the charts (Vega-Lite JSON, CSV; SVG/PNG if possible).",
        ),
    ] = None,
    lang: Annotated[
        str, typer.Option(help="Language of the chart labels: en, zh or zh-Hant.")
    ] = "en",
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="SQLAlchemy URL; default: COMMONGROUND_DATABASE_URL or SQLite in the user data dir.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Who takes part: participants by income group, region and LDC/LLDC/SIDS status
    against the reference population, who is left out, and party to none/some/all."""
    from commonground.analysis.representation import (
        DEFAULT_INSTRUMENTS,
        analyse_group,
        group_to_dict,
    )
    from commonground.cli import _store, err, out

    if format not in ("table", "json"):
        raise Error(f"unknown format {format!r}: use table or json")
    if lang not in ("en", "zh", "zh-Hant"):
        raise Error(f"unknown language {lang!r}: use en, zh or zh-Hant")
    on = None
    if as_of:
        try:
            on = dt.date.fromisoformat(as_of)
        except ValueError as exc:
            raise Error(f"--as-of must be a date (YYYY-MM-DD), not {as_of!r}") from exc
    store = _store(database_url)
    with store.sessions() as session:
        group = analyse_group(
            session, instruments or list(DEFAULT_INSTRUMENTS), reference=reference, as_of=on
        )
    if charts is not None:
        for path in _write_charts(charts, group, lang):
            err.print(f"wrote {path}")
    if format == "json":
        sys.stdout.write(
            json.dumps(group_to_dict(group), ensure_ascii=False, indent=1, default=str) + "\n"
        )
        return
    for r in group.instruments:
        _print_instrument(out, r)
    if len(group.instruments) > 1:
        out.rule("[bold]party to none, some or all[/]")
        if group.partial:
            out.print(f"[bold red]partial lists: {', '.join(group.partial)}[/]")
        for label, countries in (("none", group.none), ("some", group.some), ("all", group.all)):
            out.print(
                f"party to {label}: {len(countries)} of {group.reference_size}"
                + (": " + ", ".join(c.id for c in countries) if countries else "")
            )
