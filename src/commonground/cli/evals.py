"""`commonground evals`: import, export and show evaluation results (v1 JSON format)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from commonground.cli import DatabaseOption, _store, err, out
from commonground.errors import Error

app = typer.Typer(
    help="Evaluation results in the commonground.org/evaluation-results/v1 JSON format.",
    no_args_is_help=True,
)


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A v1 JSON document.")],
    as_user: Annotated[
        str, typer.Option("--as", help="The editor account the results are filed by.")
    ],
    database_url: DatabaseOption = None,
) -> None:
    """Import a v1 document, all-or-nothing, as an editor: a bad record changes nothing."""
    from commonground.auth.accounts import get_account, principal_of
    from commonground.ingest.base import run_import
    from commonground.ingest.evaluations import EvaluationsImporter

    store = _store(database_url)
    with store.sessions() as session:
        principal = principal_of(get_account(session, as_user))
    if not principal.can("editor"):
        raise Error(f"account {as_user!r} may not import evaluation results: needs the editor role")
    importer = EvaluationsImporter(principal)
    result = run_import(store, importer, file, console=err)
    skipped = result.records - len(importer.added)
    out.print(
        f"imported {len(importer.added)} evaluation results from {file}"
        + (f" ({skipped} already stored)" if skipped else "")
    )


@app.command()
def export(
    model: Annotated[
        list[str] | None, typer.Option("--model", help="Only this model id (repeatable).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--out", "-o", help="File; default stdout.")
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Export results (all, or one model's) as a v1 document."""
    from commonground.ingest.evaluations import document, dumps
    from commonground.registry.evaluations import iter_evaluations

    store = _store(database_url)
    with store.sessions() as session:
        results = list(iter_evaluations(session, {"model_id": model} if model else None))
        text = dumps(document(session, results))
    if output is None:
        sys.stdout.write(text)
        return
    output.write_text(text, encoding="utf-8")
    err.print(f"wrote {len(results)} evaluation results to {output}")


@app.command()
def show(
    model: Annotated[str, typer.Argument(help="A model id, e.g. epoch:deepseek-r1.")],
    database_url: DatabaseOption = None,
) -> None:
    """One model's results across evaluators: measures × evaluators."""
    from commonground.registry.evaluations import model_view

    store = _store(database_url)
    with store.sessions() as session:
        view = model_view(session, model)
    out.print(f"{view.model.name} ({view.model.id}): {len(view.results)} results")
    if not view.results:
        return
    table = Table("suite", "metric", *view.evaluators)
    for m in view.measures:
        cells = []
        for evaluator in view.evaluators:
            shown = []
            for r in view.cell(m, evaluator):
                text = f"{r.value}{' ' + r.unit if r.unit else ''} ({r.date.isoformat()})"
                if r.threshold_crossed is not None:
                    text += " threshold crossed" if r.threshold_crossed else " not crossed"
                shown.append(text)
            cells.append("\n".join(shown))
        suite = m.suite + (f" {m.suite_version}" if m.suite_version else "")
        table.add_row(suite, m.metric, *cells)
    out.print(table)


@app.command("from-avid")
def from_avid(
    paths: Annotated[list[Path], typer.Argument(help="AVID report files or folders.")],
    output: Annotated[
        Path | None, typer.Option("--out", "-o", help="File; default stdout.")
    ] = None,
    link: Annotated[
        list[str] | None,
        typer.Option("--link", help="NAME=MODEL_ID: link a model name to a model (repeatable)."),
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Convert AVID "LLM Evaluation" reports into a v1 document (each result cites its report).

    A model name is linked when it equals an Epoch model's name in the store, or by --link."""
    from sqlalchemy import select

    from commonground.ingest.avid_evaluations import convert, name_key, to_json
    from commonground.store.models import AIModel

    store = _store(database_url)
    with store.sessions() as session:
        models = {
            name_key(name): id for id, name in session.execute(select(AIModel.id, AIModel.name))
        }
        for pair in link or []:
            name, sep, model_id = pair.partition("=")
            if not sep or not name.strip() or session.get(AIModel, model_id.strip()) is None:
                raise Error(f"--link {pair!r}: expected NAME=MODEL_ID naming a stored model")
            models[name_key(name)] = model_id.strip()
    conversion = convert(paths, models=models)
    text = to_json(conversion.document)
    results = conversion.document["results"]
    linked = sum(1 for r in results if r.get("model_id"))
    summary = (
        f"{len(results)} results from {conversion.reports} reports "
        f"({linked} linked to a model, {len(results) - linked} unresolved)"
    )
    skipped = ", ".join(f"{n} {why}" for why, n in sorted(conversion.skipped.items()))
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        summary = f"wrote {summary} to {output}"
    err.print(summary + (f"; skipped: {skipped}" if skipped else ""))
