"""`commonground commitments`: the tracker's matrix, one signatory's record, and editor writes
(the same validation and audit as the web forms and the API)."""

from __future__ import annotations

import csv
import json
import sys
from typing import Annotated

import typer
from rich.table import Table

from commonground.cli import DatabaseOption, _store, err, out
from commonground.errors import Error

app = typer.Typer(
    help="Commitments tracker: status matrix, a signatory's evidence and assessments, edits.",
    no_args_is_help=True,
)

FormatOption = Annotated[str, typer.Option("--format", help="table, csv or json.")]
# Short cell codes for the terminal table (csv/json carry the full status).
SHORT = {
    "met": "met",
    "partly-met": "part",
    "not-met": "NOT",
    "contested": "cont",
    "not-yet-due": "due",
    "no-evidence-found": "-",
    "not-assessed": "ev?",
}
AsOption = Annotated[str, typer.Option("--as", help="The editor account the change is filed by.")]


def _principal(store, username: str):  # type: ignore[no-untyped-def]
    from commonground.auth.accounts import get_account, principal_of

    with store.sessions() as session:
        principal = principal_of(get_account(session, username))
    if not principal.can("editor"):
        raise Error(f"account {username!r} may not edit the tracker: needs the editor role")
    return principal


@app.command()
def matrix(
    instrument: Annotated[str, typer.Argument(help="Instrument id.")],
    format: FormatOption = "table",
    database_url: DatabaseOption = None,
) -> None:
    """Every signatory × commitment with its current status, and each signatory's counts."""
    from commonground.registry import commitments as reg

    if format not in ("table", "csv", "json"):
        raise Error(f"unknown format {format!r}: use table, csv or json")
    store = _store(database_url)
    with store.sessions() as session:
        m = reg.matrix(session, instrument)
        rows = reg.matrix_rows(m)
        if format == "csv":
            writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["status"])
            writer.writeheader()
            writer.writerows(rows)
            return
        if format == "json":
            sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
            return
        table = Table(title=m.instrument.name_en)
        table.add_column("signatory", no_wrap=True)
        for p in m.columns:
            table.add_column(p.id.rsplit("/", 1)[-1], no_wrap=True)
        table.add_column("met / judged")
        for s in m.rows:
            score = m.row_counts[s.actor.id]
            table.add_row(
                s.actor.id,
                *(SHORT.get(m.cell(s.actor.id, p.id).status, "") for p in m.columns),
                f"{score.met} / {score.judged}",
            )
        out.print(table)
        out.print("  ".join(f"{v}={k}" for k, v in SHORT.items()), highlight=False)
        out.print(", ".join(f"{k}: {v}" for k, v in sorted(m.totals.items())))


@app.command()
def show(
    instrument: Annotated[str, typer.Argument(help="Instrument id.")],
    actor: Annotated[str, typer.Argument(help="Actor id of a signatory.")],
    database_url: DatabaseOption = None,
) -> None:
    """One signatory: each commitment's status and assessment history, then its evidence."""
    from commonground.registry import commitments as reg

    store = _store(database_url)
    with store.sessions() as session:
        m = reg.matrix(session, instrument)
        signatory = reg.get_signatory(session, instrument, actor)
        score = m.row_counts[actor]
        out.print(
            f"[bold]{signatory.actor.name_en}[/] ({actor}) · {signatory.act}"
            f"{' ' + signatory.date.isoformat() if signatory.date else ''}"
            f" · met {score.met} of {score.judged} judged",
            highlight=False,
        )
        history = reg.assessments_for(session, instrument, actor_id=actor)
        for p in m.columns:
            cell = m.cell(actor, p.id)
            out.print(f"{p.label or p.id}: {cell.status} ({cell.evidence_count} evidence)")
            for i, a in enumerate(x for x in history if x.provision_id == p.id):
                mark = "current" if i == 0 else "superseded"
                out.print(
                    f"  {a.assessed_on} {a.status} by {a.assessor} [{mark}] {a.id}",
                    highlight=False,
                )
        out.print("[bold]Evidence[/]")
        for e in reg.evidence_for(session, instrument, actor_id=actor):
            out.print(
                f"  {e.published_text or 'undated'} {e.id} {e.kind}: {e.title} <{e.url}>",
                highlight=False,
                soft_wrap=True,
            )


@app.command("add-evidence")
def add_evidence(
    instrument: Annotated[str, typer.Argument(help="Instrument id.")],
    actor: Annotated[str, typer.Argument(help="Signatory actor id.")],
    provision: Annotated[str, typer.Argument(help="Provision id of the commitment.")],
    kind: Annotated[str, typer.Option(help="published-framework, report, blog-post, …")],
    title: Annotated[str, typer.Option(help="Title of the evidence.")],
    url: Annotated[str, typer.Option(help="Its address (http/https).")],
    as_user: AsOption,
    publisher: Annotated[str | None, typer.Option(help="Who published it.")] = None,
    published: Annotated[str | None, typer.Option(help="YYYY, YYYY-MM, YYYY-MM-DD.")] = None,
    excerpt: Annotated[str | None, typer.Option(help="A quoted excerpt.")] = None,
    language: Annotated[str | None, typer.Option(help="Language code, e.g. en.")] = None,
    basis: Annotated[str | None, typer.Option(help="listed, stated or inferred.")] = None,
    note: Annotated[str | None, typer.Option(help="A note.")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Add one evidence item as an editor; bad input changes nothing."""
    from commonground.registry import commitments as reg

    store = _store(database_url)
    principal = _principal(store, as_user)
    new_id = reg.add_evidence(
        store,
        principal,
        {
            "instrument": instrument,
            "actor": actor,
            "provision": provision,
            "kind": kind,
            "title": title,
            "url": url,
            "publisher": publisher,
            "published": published,
            "excerpt": excerpt,
            "language": language,
            "basis": basis,
            "note": note,
        },
    )
    out.print(f"added evidence {new_id}", highlight=False)
    err.print(f"commonground commitments show {instrument} {actor}", highlight=False)


@app.command()
def assess(
    instrument: Annotated[str, typer.Argument(help="Instrument id.")],
    actor: Annotated[str, typer.Argument(help="Signatory actor id.")],
    provision: Annotated[str, typer.Argument(help="Provision id of the commitment.")],
    status: Annotated[str, typer.Option(help="met, partly-met, not-met, contested, …")],
    rationale: Annotated[str, typer.Option("--rationale", help="Rationale in English.")],
    as_user: AsOption,
    assessed_on: Annotated[
        str | None, typer.Option("--on", help="Date of the assessment (default today).")
    ] = None,
    assessor: Annotated[str | None, typer.Option(help="Default: the account name.")] = None,
    rationale_zh: Annotated[str | None, typer.Option(help="Rationale in Chinese.")] = None,
    evidence: Annotated[
        list[str] | None, typer.Option("--evidence", help="Evidence id; repeatable.")
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Add an assessment as an editor; the old ones stay as history."""
    import datetime as dt

    from commonground.registry import commitments as reg

    store = _store(database_url)
    principal = _principal(store, as_user)
    new_id = reg.add_assessment(
        store,
        principal,
        {
            "instrument": instrument,
            "actor": actor,
            "provision": provision,
            "status": status,
            "assessed_on": assessed_on or dt.datetime.now(dt.UTC).date().isoformat(),
            "assessor": assessor or as_user,
            "rationale_en": rationale,
            "rationale_zh": rationale_zh,
            "evidence": evidence or [],
        },
    )
    out.print(f"added assessment {new_id}", highlight=False)
