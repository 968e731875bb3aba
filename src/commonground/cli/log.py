"""`commonground log …`: proof bundles (C2SP tlog-proof), static tiles (tlog-tiles), audits,
checkpoints on a cadence with witness cosignatures, and the log's signing key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from commonground.errors import Error

app = typer.Typer(
    name="log",
    help="The transparency log: proof bundles, static tiles, audits, checkpoints, keys.",
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
    what: Annotated[
        str,
        typer.Argument(
            help="A record as TYPE:ID (instrument:bletchley-declaration, "
            "vulnerability:AVID-2023-V028) or a leaf index."
        ),
    ],
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the .tlog-proof.")],
    record_out: Annotated[
        Path | None,
        typer.Option("--record-out", help="Also write the record's canonical form (JSON)."),
    ] = None,
    origin: Annotated[
        str | None,
        typer.Option(
            help="The log's origin line (default: the configured log).", show_default=False
        ),
    ] = None,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="SQLAlchemy URL.", show_default=False)
    ] = None,
) -> None:
    """Write the proof bundle of a record's latest entry (or of one leaf) against the latest
    signed checkpoint; with --record-out, the record too, for `log verify --record`."""
    from commonground.cli import _settings, _store
    from commonground.tlog.bundle import export_bundle
    from commonground.tlog.envelope import canonical_json
    from commonground.tlog.records import logged_record, record_bundle

    origin = origin or _settings(database_url).log_origin
    store = _store(database_url)
    form = None
    try:
        with store.sessions() as session:
            if what.isdigit():
                if record_out is not None:
                    raise Error("--record-out needs a record (TYPE:ID), not a leaf index")
                index = int(what)
                text = export_bundle(session, origin, index)
            else:
                schema, sep, record_id = what.partition(":")
                if not sep or not record_id:
                    raise Error(f"{what!r}: give a record as TYPE:ID or a leaf index")
                logged = logged_record(session, origin, schema, record_id)
                text = record_bundle(session, origin, logged)
                index, form = logged.leaf_index, logged.form
    finally:
        store.dispose()
    out_file.write_text(text, encoding="utf-8")
    if record_out is not None and form is not None:
        record_out.write_bytes(canonical_json(form) + b"\n")
    typer.echo(f"wrote {out_file} (index {index}, log {origin})", err=True)


@app.command("verify")
def verify(
    bundle: Annotated[Path, typer.Argument(help="A .tlog-proof file.")],
    vkey: Annotated[
        list[str] | None,
        typer.Option("--vkey", help="Log verifier key (text or file); repeatable."),
    ] = None,
    policy: Annotated[
        Path | None,
        typer.Option(
            "--policy",
            help="A C2SP tlog-policy file: its logs' keys, and the witness quorum the "
            "checkpoint's cosignatures must meet.",
        ),
    ] = None,
    record: Annotated[
        Path | None, typer.Option("--record", help="The record as JSON: check its hash too.")
    ] = None,
    origin: Annotated[
        str | None, typer.Option(help="Require this log origin.", show_default=False)
    ] = None,
) -> None:
    """Verify a proof bundle offline: signature, inclusion, record, witness quorum."""
    from commonground.tlog.bundle import parse_bundle, verify_bundle
    from commonground.tlog.cadence import quorum_report
    from commonground.tlog.note import Note, Verifier
    from commonground.tlog.policy import QuorumError, parse_policy

    verifiers = [Verifier.from_text(_vkey(v)) for v in vkey or []]
    trust = None
    if policy is not None:
        trust = parse_policy(policy.read_bytes())
        verifiers += [entry.verifier for entry in trust.logs]
    verifiers = list(dict.fromkeys(verifiers))  # a key given twice is still one key
    if not verifiers:
        raise Error("give the log's key with --vkey, or a --policy that lists the log")
    data = None
    if record is not None:
        try:
            data = json.loads(record.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise Error(f"{record}: not JSON: {exc}") from None
    text = bundle.read_bytes()
    result = verify_bundle(text, verifiers, origin=origin, record=data if record else None)
    cp = result.checkpoint
    what = (
        f"record {result.envelope.record_id} ({result.envelope.schema})"
        if result.envelope
        else "entry"
    )
    checked = " and the record matches" if record else ""
    if trust is not None:
        names = trust.cosigners(Note.from_text(parse_bundle(text).checkpoint))
        met, detail = quorum_report(trust, names)
        typer.echo(f"cosigned by: {', '.join(sorted(names)) or 'no policy witness'}")
        typer.echo(detail)
        if not met:
            raise QuorumError(trust.quorum, names)
        checked += f", quorum {trust.quorum} met"
    typer.echo(f"OK: {what} is entry {result.index} of {cp.origin} at size {cp.size}{checked}")


@app.command("keygen")
def keygen(
    name: Annotated[str, typer.Argument(help="The log's key name: its origin.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the signer key.")],
) -> None:
    """Make the log's Ed25519 note key: the signer key to --out, the verifier key to stdout."""
    from commonground.cli.witness import write_key
    from commonground.tlog.note import Signer

    typer.echo(write_key(Signer.generate(name), out))


@app.command("publish")
def publish_tiles(
    directory: Annotated[Path, typer.Argument(help="Directory to write the tiles into.")],
    origin: Annotated[str, typer.Option(help="The log's origin line.")] = DEFAULT_ORIGIN,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="SQLAlchemy URL.", show_default=False)
    ] = None,
) -> None:
    """Write the latest checkpoint and its tiles as a static C2SP tlog-tiles directory."""
    from commonground.cli import _store
    from commonground.tlog.publish import publish

    store = _store(database_url)
    try:
        with store.sessions() as session:
            result = publish(session, origin, directory)
    finally:
        store.dispose()
    typer.echo(
        f"published {origin} at size {result.size} to {directory}: {len(result.written)} "
        f"files written, {result.unchanged} unchanged"
        + ("" if result.checkpoint_written else ", checkpoint unchanged")
    )


@app.command("audit")
def audit_log(
    location: Annotated[str, typer.Argument(help="A tlog-tiles directory or http(s) URL.")],
    vkey: Annotated[str, typer.Option("--vkey", help="The log's verifier key (text or file).")],
    state: Annotated[
        Path | None,
        typer.Option(
            "--state", help="JSON file with the last checkpoint seen (read, then updated)."
        ),
    ] = None,
    origin: Annotated[
        str | None, typer.Option(help="Require this log origin.", show_default=False)
    ] = None,
    progress: Annotated[
        bool, typer.Option("--progress/--no-progress", help="Show a progress bar.")
    ] = True,
) -> None:
    """Monitor a tlog-tiles log: signature, every entry and tile, consistency with --state."""
    import time

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from commonground.tlog.audit import audit, source_for
    from commonground.tlog.note import Verifier

    verifier = Verifier.from_text(_vkey(vkey))
    source = source_for(location)
    console = Console(stderr=True)
    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not progress or not console.is_terminal,
        transient=True,
    )
    task = bar.add_task("entries", total=None)
    started = time.perf_counter()
    try:
        with bar:
            result = audit(
                source,
                [verifier],
                origin=origin,
                state=state,
                progress=lambda n, total: bar.update(task, completed=n, total=total),
            )
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()
    seconds = time.perf_counter() - started
    cp = result.checkpoint
    since = (
        f", consistent with size {result.previous_size} seen before"
        if result.previous_size is not None
        else ""
    )
    typer.echo(
        f"OK: {cp.origin} size {cp.size} root {cp.root_hash.hex()[:16]}…: "
        f"{result.entries} entries, {result.tiles} tiles checked in {seconds:.2f}s{since}"
    )


@app.command("checkpoint")
def checkpoint(
    key: Annotated[str, typer.Option("--key", help="The log's signer key (text or file).")],
    every: Annotated[
        float | None,
        typer.Option(
            "--every",
            help="Run as a loop: a checkpoint every SECONDS when the log grew (fixed cadence).",
            show_default=False,
        ),
    ] = None,
    witness: Annotated[
        list[str] | None,
        typer.Option(
            "--witness",
            help="A witness as VKEY=URL, or the name or URL of a --policy witness; repeatable. "
            "With --policy and no --witness: every policy witness that has a URL.",
        ),
    ] = None,
    policy: Annotated[
        Path | None, typer.Option("--policy", help="tlog-policy: witnesses and their quorum.")
    ] = None,
    publish_dir: Annotated[
        Path | None, typer.Option("--publish", help="Publish the tiles here after each run.")
    ] = None,
    origin: Annotated[str, typer.Option(help="The log's origin line.")] = DEFAULT_ORIGIN,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="SQLAlchemy URL.", show_default=False)
    ] = None,
) -> None:
    """Sign a checkpoint when due, gather witness cosignatures, store them, publish tiles."""
    import datetime as dt

    from commonground.cli import _store
    from commonground.tlog.cadence import (
        Tick,
        checkpoint_once,
        resolve_witnesses,
        run_cadence,
    )
    from commonground.tlog.note import Signer
    from commonground.tlog.policy import parse_policy

    signer = Signer.from_text(_vkey(key))
    trust = parse_policy(policy.read_bytes()) if policy is not None else None
    clients = resolve_witnesses(witness or [], trust, _vkey)
    if every is not None and every <= 0:
        raise Error("--every must be a positive number of seconds")
    interval = dt.timedelta(seconds=every or 0)
    store = _store(database_url)
    failed = {"quorum": False}

    def tick() -> Tick:
        return checkpoint_once(
            store,
            origin,
            signer,
            interval=interval,
            witnesses=clients,
            policy=trust,
            publish_dir=publish_dir,
        )

    def report(t: Tick) -> None:
        when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if t.signed:
            typer.echo(f"{when} signed {t.origin} size {t.size}")
        else:
            typer.echo(f"{when} not due: {t.origin} size {t.size}")
        if t.cosigned_by:
            typer.echo(f"  cosigned by {', '.join(t.cosigned_by)}")
        for name, why in t.refused.items():
            typer.echo(f"  refused by {name}: {why}", err=True)
        if t.quorum_met is not None:
            typer.echo("  " + t.quorum_detail.replace("\n", "\n  "))
            failed["quorum"] = not t.quorum_met
        if t.published is not None:
            typer.echo(f"  published size {t.published.size}: {len(t.published.written)} files")

    try:
        if every is None:
            report(tick())
        else:
            run_cadence(tick, every, report=report)
    finally:
        for client in clients:
            client.close()
        store.dispose()
    if failed["quorum"]:
        raise Error("the checkpoint's cosignatures do not meet the policy's quorum")
