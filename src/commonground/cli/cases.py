"""`commonground cases …`: the incident and vulnerability registry from the command line."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

app = typer.Typer(
    name="cases",
    help="Incidents and vulnerabilities: publish vulnerabilities whose embargo has ended.",
    no_args_is_help=True,
)

DatabaseOption = Annotated[
    str | None, typer.Option("--database-url", help="SQLAlchemy URL.", show_default=False)
]


def _at(value: str | None) -> dt.datetime:
    if value is None:
        return dt.datetime.now(dt.UTC)
    try:
        at = dt.datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"not an ISO date-time: {value!r}", param_hint="--now") from None
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)


@app.command("publish-due")
def publish_due(
    now: Annotated[
        str | None,
        typer.Option(help="Publish as of this UTC time (ISO 8601); default: the clock."),
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Publish every vulnerability whose embargo has ended (one transaction)."""
    from commonground.cli import _store, out
    from commonground.registry.disclosure import publish_due as publish

    at = _at(now)
    store = _store(database_url)
    with store.transaction() as session:
        ids = publish(session, at)
    out.print(f"published {len(ids)} vulnerabilit{'y' if len(ids) == 1 else 'ies'}")
    for id in ids:
        out.print(f"  {id}", highlight=False)
