"""Offline proof bundles, C2SP tlog-proof (``c2sp.org/tlog-proof@v1``)::

    c2sp.org/tlog-proof@v1
    extra <base64 of the log entry: the record's canonical envelope>
    index <leaf index, decimal, no leading zeros>
    <base64 inclusion-proof hash, leaf's sibling first>
    …
    <blank line>
    <the signed checkpoint note, verbatim, cosignatures included>

:func:`verify_bundle` needs no network: the verifier keys, the bundle and optionally the
record.  It checks the checkpoint's signature, recomputes the leaf hash from the entry
(the ``extra`` line, or the entry given out of band), checks the inclusion proof against
the checkpoint's root and — given the record — that the envelope's SHA-256 is the
record's.  Any failure raises :class:`BundleError` naming the step and its evidence.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from commonground.tlog.checkpoint import Checkpoint, open_checkpoint
from commonground.tlog.envelope import Envelope, is_commitment
from commonground.tlog.errors import FormatError, TlogError, VerificationError
from commonground.tlog.hashing import HASH_SIZE, leaf_hash
from commonground.tlog.note import NoteVerifier, b64decode, b64encode
from commonground.tlog.proof import verify_inclusion

HEADER = "c2sp.org/tlog-proof@v1"
_INDEX = re.compile(r"index (0|[1-9][0-9]*)")


class BundleError(VerificationError):
    """A proof bundle does not verify: ``step`` says which check failed."""

    code = "tlog-bundle"

    def __init__(self, step: str, reason: str, **evidence: object) -> None:
        self.step = step
        self.reason = reason
        self.evidence = evidence
        shown = ", ".join(
            f"{k}={v.hex() if isinstance(v, bytes) else v}" for k, v in evidence.items()
        )
        super().__init__(f"{step}: {reason}" + (f" ({shown})" if shown else ""))


@dataclass(frozen=True, slots=True)
class Bundle:
    index: int
    proof: tuple[bytes, ...]
    checkpoint: str  # the signed note, verbatim
    extra: bytes | None = None

    def to_text(self) -> str:
        lines = [HEADER]
        if self.extra is not None:
            lines.append(f"extra {b64encode(self.extra)}")
        lines.append(f"index {self.index}")
        lines.extend(b64encode(h) for h in self.proof)
        return "".join(line + "\n" for line in lines) + "\n" + self.checkpoint


def _bad(reason: str, value: object = None, line: int | None = None) -> FormatError:
    return FormatError(kind="tlog-proof", reason=reason, value=value, line=line)


def parse_bundle(text: str | bytes) -> Bundle:
    """Parse a tlog-proof bundle (no verification)."""
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError:
            raise _bad("not UTF-8") from None
    head, sep, note = text.partition("\n\n")
    if not sep or not note:
        raise _bad("no blank line before the checkpoint")
    lines = head.split("\n")
    if lines[0] != HEADER:
        raise _bad(f"first line must be {HEADER}", lines[0], 1)
    pos = 1
    extra = None
    if pos < len(lines) and lines[pos].startswith("extra "):
        try:
            extra = b64decode(lines[pos][len("extra ") :])
        except (binascii.Error, ValueError):
            raise _bad("extra is not base64", lines[pos], pos + 1) from None
        pos += 1
    if pos >= len(lines) or not (m := _INDEX.fullmatch(lines[pos])):
        raise _bad("expected `index N`", lines[pos] if pos < len(lines) else None, pos + 1)
    index = int(m.group(1))
    proof: list[bytes] = []
    for no, line in enumerate(lines[pos + 1 :], start=pos + 2):
        try:
            h = b64decode(line)
        except (binascii.Error, ValueError):
            raise _bad("proof hash is not base64", line, no) from None
        if len(h) != HASH_SIZE or b64encode(h) != line:
            raise _bad("proof hash must be the canonical base64 of 32 bytes", line, no)
        proof.append(h)
    return Bundle(index=index, proof=tuple(proof), checkpoint=note, extra=extra)


def build_bundle(
    checkpoint: str, index: int, proof: Sequence[bytes], extra: bytes | None = None
) -> str:
    return Bundle(index, tuple(proof), checkpoint, extra).to_text()


@dataclass(frozen=True, slots=True)
class Verified:
    checkpoint: Checkpoint
    index: int
    entry: bytes
    envelope: Envelope | None


def verify_bundle(
    text: str | bytes,
    verifiers: Iterable[NoteVerifier],
    *,
    origin: str | None = None,
    entry: bytes | None = None,
    record: Any = None,
) -> Verified:
    """Verify a bundle offline; return what it proves, or raise :class:`BundleError`."""
    try:
        bundle = parse_bundle(text)
    except FormatError as exc:
        raise BundleError("parse", str(exc)) from exc
    try:
        cp, _ = open_checkpoint(bundle.checkpoint, list(verifiers))
    except TlogError as exc:
        raise BundleError("checkpoint signature", str(exc)) from exc
    if origin is not None and cp.origin != origin:
        raise BundleError("origin", "checkpoint is from another log", got=cp.origin, want=origin)
    if entry is not None and bundle.extra is not None and entry != bundle.extra:
        raise BundleError("entry", "the entry given differs from the bundle's extra data")
    data = entry if entry is not None else bundle.extra
    if data is None:
        raise BundleError("entry", "no entry: the bundle has no extra line and none was given")
    h = leaf_hash(data)
    try:
        verify_inclusion(h, bundle.index, cp.size, bundle.proof, cp.root_hash)
    except VerificationError as exc:
        raise BundleError(
            "inclusion",
            str(exc),
            index=bundle.index,
            size=cp.size,
            leaf_hash=h,
            root=cp.root_hash,
        ) from exc
    envelope = None
    if not is_commitment(data):
        try:
            envelope = Envelope.from_bytes(data)
        except FormatError as exc:
            if record is not None:
                raise BundleError("envelope", str(exc)) from exc
    if record is not None:
        if envelope is None:
            raise BundleError("record", "the entry is a commitment: the record is embargoed")
        try:
            envelope.check_record(record)
        except VerificationError as exc:
            raise BundleError("record", str(exc), record=envelope.record_id) from exc
    return Verified(checkpoint=cp, index=bundle.index, entry=data, envelope=envelope)


def export_bundle(session: Any, origin: str, index: int) -> str:
    """A bundle for entry ``index`` against the log's latest signed checkpoint."""
    from commonground.tlog import storage

    note = storage.latest_checkpoint(session, origin)
    if note is None:
        raise BundleError("export", "the log has signed no checkpoint yet", origin=origin)
    cp = Checkpoint.from_text(note.split("\n\n", 1)[0] + "\n")
    if index >= cp.size:
        raise BundleError(
            "export", "entry is not covered by the latest checkpoint", index=index, size=cp.size
        )
    proof = storage.inclusion_proof(session, origin, index, cp.size)
    return build_bundle(note, index, proof, storage.entry(session, origin, index))
