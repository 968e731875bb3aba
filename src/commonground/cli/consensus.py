"""`commonground analyse consensus A B`: where two actors agree and differ.

Prints the principles both endorse (with the instruments and provisions that show it), the
principles only one endorses, the instruments both endorsed, and the instruments one endorsed
while the other refused, was left out (complete list) or is unknown (partial list). Every piece
of evidence shows how its tag was made (manual / rule / model) and its review status; machine
tags are marked. `--format json` prints the same for other tools.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from commonground.cli.analyse import app
from commonground.errors import Error

STATES = {
    "endorsed": "endorsed",
    "issued": "issued",
    "took_part": "took part",
    "refused": "REFUSED",
    "left_out": "left out (complete list)",
    "unknown": "unknown (list not complete)",
    "ended": "revoked/superseded",
    "not_applicable": "n/a",
}


def _evidence(evidence) -> str:  # type: ignore[no-untyped-def]
    parts = []
    for e in evidence:
        where = e.instrument_id + (
            f" › {e.provision_label or e.provision_id}" if e.provision_id else ""
        )
        mark = "⚙ " if e.machine else ""
        parts.append(f"{mark}{where} [{e.method}, {e.review_status}]")
    return escape("\n".join(parts)) or "–"


def _position(p) -> str:  # type: ignore[no-untyped-def]
    text = STATES.get(p.state, p.state)
    return (
        f"{text} ({p.act})" if p.act and p.act not in ("issuer",) and p.state != "refused" else text
    )


@app.command()
def consensus(
    a: Annotated[str, typer.Argument(help="First actor id, e.g. USA.")],
    b: Annotated[str, typer.Argument(help="Second actor id, e.g. CHN.")],
    format: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url", help="SQLAlchemy URL (default: settings).", show_default=False
        ),
    ] = None,
) -> None:
    """Principles and instruments two actors share, and where they differ."""
    from commonground.analysis.consensus import as_dict
    from commonground.analysis.consensus import consensus as analyse
    from commonground.cli import _store, out

    if format not in ("table", "json"):
        raise Error(f"unknown format {format!r}: use table or json")
    store = _store(database_url)
    with store.sessions() as session:
        result = analyse(session, a, b)
    if format == "json":
        typer.echo(json.dumps(as_dict(result), ensure_ascii=False, indent=2))
        return
    A, B = result.a.id, result.b.id
    out.rule(f"[bold]{result.a.name_en} ({A}) and {result.b.name_en} ({B})[/]")
    out.print(escape("⚙ = machine-made tag (rule or model); [method, review status] on every tag."))

    table = Table("principle", f"{A}: evidence", f"{B}: evidence", title="Principles both endorse")
    for p in result.shared:
        table.add_row(
            f"{p.name_en}\n{p.name_zh or ''}", _evidence(p.evidence_a), _evidence(p.evidence_b)
        )
    out.print(table)
    for label, rows, side in (
        (f"Principles only {A} endorses", result.only_a, "a"),
        (f"Principles only {B} endorses", result.only_b, "b"),
    ):
        table = Table("principle", "evidence", title=label)
        for p in rows:
            evidence = p.evidence_a if side == "a" else p.evidence_b
            only_machine = p.machine_only_a if side == "a" else p.machine_only_b
            name = f"{p.name_en}\n{p.name_zh or ''}" + (
                "\n(machine tags only)" if only_machine else ""
            )
            table.add_row(name, _evidence(evidence))
        out.print(table)
    if result.neither:
        out.print("Neither endorses (in our tags): " + ", ".join(p.name_en for p in result.neither))

    for label, rows in (
        ("Instruments both endorsed", result.both_endorsed),
        ("Bodies and dialogues both take part in", result.both_took_part),
        (f"Endorsed by {A}, not by {B}", result.a_not_b),
        (f"Endorsed by {B}, not by {A}", result.b_not_a),
        ("Revoked or superseded (not counted)", result.ended),
    ):
        table = Table("instrument", "year", A, B, "participant list", title=label)
        for r in rows:
            table.add_row(
                f"{r.instrument_id}\n{r.short_name_en or r.name_en}",
                str(r.year or "–"),
                _position(r.a),
                _position(r.b),
                r.coverage or "not recorded",
            )
        out.print(table)
