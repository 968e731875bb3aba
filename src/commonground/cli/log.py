"""`commonground log …`: export and verify offline proof bundles (C2SP tlog-proof)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from commonground.errors import Error

app = typer.Typer(
    name="log",
    help="The transparency log: export a record's proof bundle, verify one offline.",
    no_args_is_help=True,
)

DEFAULT_ORIGIN = "commonground.org/log"


def _vkey(value: str) -> str:
    """A verifier key given inline (``name+hex+base64``) or as a file holding one."""
    if value.count("+") < 2 and Path(value).is_file():
        return Path(value).read_text(encoding="utf-8").strip()
    return value.strip()


@app.command("export")
def export(
    record_index: Annotated[int, typer.Argument(help="Leaf index of the record's log entry.")],
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the .tlog-proof.")],
    origin: Annotated[str, typer.Option(help="The log's origin line.")] = DEFAULT_ORIGIN,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="SQLAlchemy URL.", show_default=False)
    ] = None,
) -> None:
    """Write the proof bundle of one log entry against the latest signed checkpoint."""
    from commonground.cli import _store
    from commonground.tlog.bundle import export_bundle

    store = _store(database_url)
    try:
        with store.sessions() as session:
            text = export_bundle(session, origin, record_index)
    finally:
        store.dispose()
    out_file.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {out_file} (index {record_index}, log {origin})", err=True)


@app.command("verify")
def verify(
    bundle: Annotated[Path, typer.Argument(help="A .tlog-proof file.")],
    vkey: Annotated[
        list[str], typer.Option("--vkey", help="Log verifier key (text or file); repeatable.")
    ],
    record: Annotated[
        Path | None, typer.Option("--record", help="The record as JSON: check its hash too.")
    ] = None,
    origin: Annotated[
        str | None, typer.Option(help="Require this log origin.", show_default=False)
    ] = None,
) -> None:
    """Verify a proof bundle offline: signature, inclusion and (optionally) the record."""
    from commonground.tlog.bundle import verify_bundle
    from commonground.tlog.note import Verifier

    verifiers = [Verifier.from_text(_vkey(v)) for v in vkey]
    data = None
    if record is not None:
        try:
            data = json.loads(record.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise Error(f"{record}: not JSON: {exc}") from None
    result = verify_bundle(
        bundle.read_bytes(), verifiers, origin=origin, record=data if record else None
    )
    cp = result.checkpoint
    what = (
        f"record {result.envelope.record_id} ({result.envelope.schema})"
        if result.envelope
        else "entry"
    )
    checked = " and the record matches" if record else ""
    typer.echo(f"OK: {what} is entry {result.index} of {cp.origin} at size {cp.size}{checked}")
