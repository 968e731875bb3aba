"""A transparency-log witness, C2SP tlog-witness v1.0.0 ``add-checkpoint``.

https://c2sp.org/tlog-witness — the witness knows some logs (origin → verifier keys) and,
for each, the latest checkpoint it cosigned.  :meth:`Witness.add_checkpoint` takes the
request body

    old <N>\\n  <up to 63 base64 consistency-proof lines>  \\n  <signed checkpoint>

and answers like the HTTP endpoint: ``(status, headers, body)``:

- 400 malformed body, or ``old`` above the checkpoint size;
- 404 unknown origin;
- 403 no valid signature by a key trusted for the origin, or a trusted key's signature
  fails (the note is malformed);
- 409 ``old`` differs from the size the witness holds; body ``<size>\\n`` with
  ``Content-Type: text/x.tlog.size``;
- 422 size 0 with a root other than the empty tree's, a non-empty proof from ``old 0``,
  a consistency proof that fails, or equal sizes with different roots;
- 200 the witness's cosignature lines (tlog-cosignature v1, timestamp never 0).

The comparison of ``old`` with the stored size, the proof check and the write of the new
state happen in one transaction holding the log's row lock (SQLite ``BEGIN IMMEDIATE``,
PostgreSQL ``SELECT … FOR UPDATE`` after an insert-if-missing), so two requests from the
same old size cannot both advance it (the rollback race the spec describes).

:func:`create_app` wraps a :class:`Witness` as a Starlette app: ``POST /add-checkpoint``
and ``GET /<sha256(origin) hex>/checkpoint`` (the monitoring retrieval).
"""

from __future__ import annotations

import binascii
import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from commonground.store.engine import WRITE, make_engine
from commonground.tlog.checkpoint import Checkpoint, open_checkpoint
from commonground.tlog.cosignature import Cosigner
from commonground.tlog.errors import (
    FormatError,
    KeyLookupError,
    NoVerifiedSignatureError,
    SignatureError,
    TlogError,
    VerificationError,
)
from commonground.tlog.hashing import EMPTY_ROOT, HASH_SIZE
from commonground.tlog.note import Note, Verifier, b64decode, b64encode
from commonground.tlog.proof import verify_consistency
from commonground.tlog.witness_models import create_tables, witness_state

MAX_PROOF_LINES = 63
MAX_BODY = 1 << 20
SIZE_CONTENT_TYPE = "text/x.tlog.size"
TEXT = "text/plain; charset=utf-8"

_OLD = re.compile(r"old (0|[1-9][0-9]*)")

Response = tuple[int, dict[str, str], bytes]


class RequestError(TlogError):
    """A malformed add-checkpoint body (answered with 400)."""

    code = "tlog-witness-request"


@dataclass(frozen=True, slots=True)
class AddCheckpointRequest:
    """A parsed add-checkpoint body: old size, proof hashes and the signed checkpoint note."""

    old: int
    proof: tuple[bytes, ...]
    checkpoint: str

    def to_bytes(self) -> bytes:
        return format_request(self.old, self.proof, self.checkpoint)


def format_request(old: int, proof: Sequence[bytes], signed_checkpoint: str) -> bytes:
    """The add-checkpoint body for ``old``, ``proof`` and a signed checkpoint note."""
    if len(proof) > MAX_PROOF_LINES:
        raise RequestError(f"a consistency proof has at most {MAX_PROOF_LINES} hashes")
    lines = [f"old {old}\n", *(b64encode(h) + "\n" for h in proof), "\n"]
    return ("".join(lines) + signed_checkpoint).encode("utf-8")


def parse_request(body: bytes | str) -> AddCheckpointRequest:
    """Split an add-checkpoint body; raises :class:`RequestError` when it is malformed."""
    if isinstance(body, bytes | bytearray):
        if len(body) > MAX_BODY:
            raise RequestError(f"body larger than {MAX_BODY} bytes")
        try:
            body = bytes(body).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RequestError(f"body is not UTF-8 (byte {exc.start})") from None
    head, sep, checkpoint = body.partition("\n\n")
    if not sep:
        raise RequestError("no empty line before the checkpoint")
    lines = head.split("\n")
    match = _OLD.fullmatch(lines[0])
    if match is None:
        raise RequestError(f"line 1 must be 'old <size>' (got {lines[0][:40]!r})")
    proof_lines = lines[1:]
    if len(proof_lines) > MAX_PROOF_LINES:
        raise RequestError(f"more than {MAX_PROOF_LINES} consistency proof lines")
    proof: list[bytes] = []
    for i, line in enumerate(proof_lines, start=2):
        try:
            raw = b64decode(line)
        except (binascii.Error, UnicodeEncodeError, ValueError):
            raise RequestError(f"line {i}: proof hash is not base64") from None
        if len(raw) != HASH_SIZE:
            raise RequestError(f"line {i}: proof hash is {len(raw)} bytes, want {HASH_SIZE}")
        proof.append(raw)
    if not checkpoint:
        raise RequestError("no checkpoint after the empty line")
    return AddCheckpointRequest(int(match.group(1)), tuple(proof), checkpoint)


def parse_log_keys(specs: Iterable[str]) -> dict[str, list[Verifier]]:
    """``ORIGIN=VKEY`` strings as origin → verifiers (an origin may have several keys)."""
    logs: dict[str, list[Verifier]] = {}
    for spec in specs:
        origin, sep, vkey = spec.partition("=")
        if not sep or not origin or not vkey:
            raise FormatError(kind="log key", reason="must be ORIGIN=VKEY", value=spec)
        logs.setdefault(origin, []).append(Verifier.from_text(vkey.strip()))
    return logs


def origin_hash(origin: str) -> str:
    """Lowercase hex SHA-256 of the origin (the monitoring path component)."""
    return hashlib.sha256(origin.encode("utf-8")).hexdigest()


def _reply(status: int, text: str, content_type: str = TEXT) -> Response:
    return status, {"content-type": content_type}, text.encode("utf-8")


class WitnessState:
    """The witness's table in its own database; :meth:`engine` writes begin IMMEDIATE on SQLite."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._write = engine.execution_options(**{WRITE: True})
        create_tables(engine)

    @classmethod
    def from_url(cls, url: str) -> WitnessState:
        return cls(make_engine(url))

    def get(self, origin: str) -> tuple[int, bytes, str | None] | None:
        """(size, root hash, cosigned checkpoint note) held for ``origin``, or None."""
        t = witness_state
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.c.size, t.c.root_hash, t.c.checkpoint).where(t.c.origin == origin)
            ).one_or_none()
        if row is None:
            return None
        return int(row.size), bytes(row.root_hash), row.checkpoint

    def by_origin_hash(self, digest: str) -> str | None:
        """The cosigned checkpoint of the log whose origin hashes to ``digest``."""
        t = witness_state
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.c.origin, t.c.checkpoint).where(t.c.checkpoint.is_not(None))
            ).all()
        for origin, note in rows:
            if origin_hash(origin) == digest:
                return note
        return None

    def dispose(self) -> None:
        self.engine.dispose()


class Witness:
    """Checks and cosigns checkpoints of the logs it knows (see the module docstring)."""

    def __init__(
        self,
        cosigner: Cosigner,
        logs: Mapping[str, Sequence[Verifier]],
        state: WitnessState,
    ) -> None:
        self.cosigner = cosigner
        self.logs = {origin: list(keys) for origin, keys in logs.items()}
        self.state = state

    @property
    def name(self) -> str:
        return self.cosigner.name

    def add_checkpoint(self, body: bytes | str) -> Response:
        """Handle one add-checkpoint request: ``(status, headers, body)``."""
        try:
            request = parse_request(body)
            note = Note.from_text(request.checkpoint)
            checkpoint = Checkpoint.from_text(note.text)
        except (RequestError, FormatError) as exc:
            return _reply(400, f"{exc}\n")
        keys = self.logs.get(checkpoint.origin)
        if not keys:
            return _reply(404, f"unknown log origin {checkpoint.origin!r}\n")
        try:
            open_checkpoint(request.checkpoint, keys)
        except (SignatureError, NoVerifiedSignatureError, KeyLookupError) as exc:
            return _reply(403, f"{exc}\n")
        except FormatError as exc:
            return _reply(400, f"{exc}\n")
        if request.old > checkpoint.size:
            return _reply(
                400, f"old size {request.old} exceeds checkpoint size {checkpoint.size}\n"
            )
        if checkpoint.size == 0 and checkpoint.root_hash != EMPTY_ROOT:
            return _reply(422, "a checkpoint of size 0 must have the empty tree's root\n")
        if request.old == 0 and request.proof:
            return _reply(422, "the consistency proof from old size 0 must be empty\n")
        return self._advance(checkpoint, request)

    def _advance(self, checkpoint: Checkpoint, request: AddCheckpointRequest) -> Response:
        """Compare, verify, persist and cosign under the log's row lock."""
        t = witness_state
        now = dt.datetime.now(dt.UTC)
        with self.state._write.begin() as conn:
            ins = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
            conn.execute(
                ins(t)
                .values(origin=checkpoint.origin, size=0, root_hash=EMPTY_ROOT, updated_at=now)
                .on_conflict_do_nothing(index_elements=["origin"])
            )
            row = conn.execute(
                select(t.c.size, t.c.root_hash)
                .where(t.c.origin == checkpoint.origin)
                .with_for_update()
            ).one()
            held = int(row.size)
            if request.old != held:
                return _reply(409, f"{held}\n", SIZE_CONTENT_TYPE)
            try:
                verify_consistency(
                    request.old,
                    checkpoint.size,
                    request.proof,
                    bytes(row.root_hash),
                    checkpoint.root_hash,
                    allow_empty_old=True,
                )
            except VerificationError as exc:
                return _reply(422, f"consistency check failed: {exc}\n")
            when = int(self.cosigner.clock())
            if when <= 0:  # tlog-witness: the timestamp MUST NOT be zero
                return _reply(500, "the witness clock reads 0\n")
            cosignature = self.cosigner.cosign(checkpoint.to_text(), when)
            conn.execute(
                update(t)
                .where(t.c.origin == checkpoint.origin)
                .values(
                    size=checkpoint.size,
                    root_hash=checkpoint.root_hash,
                    checkpoint=request.checkpoint + cosignature.to_line(),
                    updated_at=now,
                )
            )
        return _reply(200, cosignature.to_line())


def create_app(witness: Witness):  # type: ignore[no-untyped-def]
    """A Starlette app: ``POST /add-checkpoint`` and ``GET /{origin hash}/checkpoint``."""
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import Response as HttpResponse
    from starlette.routing import Route

    async def add_checkpoint(request: Request) -> HttpResponse:
        body = await request.body()
        status, headers, content = await run_in_threadpool(witness.add_checkpoint, body)
        return HttpResponse(content, status_code=status, headers=headers)

    async def checkpoint(request: Request) -> HttpResponse:
        digest = request.path_params["digest"]
        note = await run_in_threadpool(witness.state.by_origin_hash, digest)
        if note is None:
            return HttpResponse(b"not found\n", status_code=404, media_type=TEXT)
        return HttpResponse(note.encode("utf-8"), media_type=TEXT)

    return Starlette(
        routes=[
            Route("/add-checkpoint", add_checkpoint, methods=["POST"]),
            Route("/{digest:str}/checkpoint", checkpoint, methods=["GET"]),
        ]
    )
