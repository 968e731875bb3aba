"""`commonground witness …`: run a C2SP tlog-witness for some logs, make witness keys."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="witness",
    help="A transparency-log witness (C2SP tlog-witness): cosign logs' checkpoints.",
    no_args_is_help=True,
)


def _text(value: str) -> str:
    """A key given inline or as a file holding it."""
    if value.count("+") < 2 and Path(value).is_file():
        return Path(value).read_text(encoding="utf-8").strip()
    return value.strip()


def _log_spec(spec: str) -> str:
    origin, sep, vkey = spec.partition("=")
    return f"{origin}{sep}{_text(vkey)}" if sep else spec


def default_state_url() -> str:
    from platformdirs import user_data_dir

    path = Path(user_data_dir("commonground", appauthor=False)) / "witness.sqlite3"
    return f"sqlite:///{path}"


def build_witness(logs: list[str], key: str, state_url: str):  # type: ignore[no-untyped-def]
    """The :class:`~commonground.tlog.witness.Witness` the options describe."""
    from commonground.tlog.cosignature import Cosigner
    from commonground.tlog.witness import Witness, WitnessState, parse_log_keys

    return Witness(
        Cosigner.from_text(_text(key)),
        parse_log_keys(_log_spec(spec) for spec in logs),
        WitnessState.from_url(state_url),
    )


@app.command("serve")
def serve(
    log: Annotated[
        list[str], typer.Option("--log", help="A known log as ORIGIN=VKEY; repeatable.")
    ],
    key: Annotated[str, typer.Option("--key", help="The witness's signer key (text or file).")],
    port: Annotated[int, typer.Option(help="TCP port.")] = 8087,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    state_url: Annotated[
        str | None,
        typer.Option(
            "--state-url",
            help="SQLAlchemy URL of the witness state (default: witness.sqlite3 in the user "
            "data dir).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve POST /add-checkpoint (and GET /<origin hash>/checkpoint)."""
    import uvicorn

    from commonground.tlog.witness import create_app

    witness = build_witness(log, key, state_url or default_state_url())
    typer.echo(
        f"witness {witness.cosigner.verifier().to_text()} on http://{host}:{port} "
        f"for {', '.join(sorted(witness.logs))}",
        err=True,
    )
    uvicorn.run(create_app(witness), host=host, port=port, log_level="warning")


@app.command("keygen")
def keygen(
    name: Annotated[str, typer.Argument(help="The witness's key name, e.g. example.org/w1.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the signer key.")],
) -> None:
    """Make a cosignature/v1 key pair: the signer key to --out, the verifier key to stdout."""
    from commonground.tlog.cosignature import Cosigner

    typer.echo(write_key(Cosigner.generate(name), out))


def write_key(signer, out: Path) -> str:  # type: ignore[no-untyped-def]
    """Write a note signer key (owner-only, never over an existing file); return its vkey.

    Shared by ``witness keygen`` (cosignature/v1 keys) and ``log keygen`` (Ed25519 keys).
    """
    import os

    from commonground.errors import Error

    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise Error(f"{out} exists: not overwriting a key file") from None
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(signer.to_text() + "\n")
    return signer.verifier().to_text()
