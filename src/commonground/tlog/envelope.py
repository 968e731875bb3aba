"""Log entries: canonical envelopes of records, and salted commitments for embargoed ones.

The log holds small envelopes, never the records themselves::

    commonground.org/tlog-envelope/v1
    schema <schema name>
    record <record id>
    sha256 <hex SHA-256 of the record's canonical JSON>
    key <submitter key id>
    signature <base64 submitter signature over the lines above, or "-">

Every line ends in a newline; values are non-empty and hold no control characters, so
each envelope has exactly one byte form (:meth:`Envelope.to_bytes` / :meth:`from_bytes`
round-trip).  The submitter signs :meth:`Envelope.signed_message` (the first five lines);
checking it is the submission path's job, never the sequencer's.

An embargoed record is logged as a commitment instead::

    commonground.org/tlog-commitment/v1
    sha256 <hex SHA-256("commonground.org/tlog-commitment/v1\\n" ‖ salt ‖ envelope bytes)>

so the log can be public while the record is not; publishing the salt and the envelope
opens it (:func:`open_commitment`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
from dataclasses import dataclass
from typing import Any

from commonground.tlog.errors import FormatError, VerificationError

ENVELOPE_HEADER = "commonground.org/tlog-envelope/v1"
COMMITMENT_HEADER = "commonground.org/tlog-commitment/v1"
SALT_SIZE = 32
_FIELDS = ("schema", "record", "sha256", "key", "signature")
_CONTROL = re.compile("[\x00-\x1f\x7f]")


def canonical_json(record: Any) -> bytes:
    """Sorted keys, no insignificant whitespace, UTF-8; NaN and infinities refused."""
    try:
        text = json.dumps(
            record, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except (TypeError, ValueError) as exc:
        raise FormatError(kind="record", reason=f"not canonical JSON: {exc}") from None
    return text.encode("utf-8")


def record_digest(record: Any) -> bytes:
    """SHA-256 of the record's canonical JSON."""
    return hashlib.sha256(canonical_json(record)).digest()


def _check_value(field: str, value: str) -> None:
    if not isinstance(value, str) or not value:
        raise FormatError(kind="envelope", reason=f"{field} must be non-empty text", value=value)
    if _CONTROL.search(value):
        raise FormatError(kind="envelope", reason=f"{field} holds a control character", value=value)


@dataclass(frozen=True, slots=True)
class Envelope:
    """What the log says about one record version."""

    schema: str
    record_id: str
    digest: bytes
    key_id: str
    signature: bytes = b""

    def __post_init__(self) -> None:
        _check_value("schema", self.schema)
        _check_value("record", self.record_id)
        _check_value("key", self.key_id)
        if not isinstance(self.digest, bytes) or len(self.digest) != 32:
            raise FormatError(kind="envelope", reason="sha256 must be 32 bytes", value=self.digest)

    @classmethod
    def for_record(
        cls, schema: str, record_id: str, record: Any, key_id: str, signature: bytes = b""
    ) -> Envelope:
        return cls(schema, record_id, record_digest(record), key_id, signature)

    def signed_message(self) -> bytes:
        """The bytes the submitter signs: header, schema, record, sha256 and key lines."""
        lines = [
            ENVELOPE_HEADER,
            f"schema {self.schema}",
            f"record {self.record_id}",
            f"sha256 {self.digest.hex()}",
            f"key {self.key_id}",
        ]
        return "".join(line + "\n" for line in lines).encode("utf-8")

    def to_bytes(self) -> bytes:
        sig = base64.b64encode(self.signature).decode("ascii") if self.signature else "-"
        return self.signed_message() + f"signature {sig}\n".encode("ascii")

    @classmethod
    def from_bytes(cls, data: bytes) -> Envelope:
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            raise FormatError(kind="envelope", reason="not UTF-8") from None
        if not text.endswith("\n"):
            raise FormatError(kind="envelope", reason="must end in a newline")
        lines = text[:-1].split("\n")
        if len(lines) != 1 + len(_FIELDS) or lines[0] != ENVELOPE_HEADER:
            raise FormatError(kind="envelope", reason="not a v1 envelope", value=lines[0])
        values: dict[str, str] = {}
        for no, (field, line) in enumerate(zip(_FIELDS, lines[1:], strict=True), start=2):
            prefix = field + " "
            if not line.startswith(prefix):
                raise FormatError(kind="envelope", reason=f"expected {field}", value=line, line=no)
            values[field] = line[len(prefix) :]
        digest_hex, sig_text = values["sha256"], values["signature"]
        if len(digest_hex) != 64 or digest_hex != digest_hex.lower():
            raise FormatError(kind="envelope", reason="sha256 must be 64 lowercase hex digits")
        try:
            digest = bytes.fromhex(digest_hex)
            signature = b"" if sig_text == "-" else base64.b64decode(sig_text, validate=True)
        except (ValueError, binascii.Error):
            raise FormatError(kind="envelope", reason="bad sha256 or signature encoding") from None
        env = cls(values["schema"], values["record"], digest, values["key"], signature)
        if env.to_bytes() != bytes(data):
            raise FormatError(kind="envelope", reason="not in canonical form")
        return env

    def check_record(self, record: Any) -> None:
        """Raise VerificationError unless ``record`` hashes to this envelope's digest."""
        got = record_digest(record)
        if got != self.digest:
            raise VerificationError(
                f"record {self.record_id!r}: sha256 of its canonical JSON is {got.hex()}, "
                f"the logged envelope says {self.digest.hex()}"
            )


def new_salt() -> bytes:
    return os.urandom(SALT_SIZE)


def commitment_digest(envelope: bytes, salt: bytes) -> bytes:
    if len(salt) != SALT_SIZE:
        raise FormatError(kind="commitment", reason=f"salt must be {SALT_SIZE} bytes", value=salt)
    return hashlib.sha256((COMMITMENT_HEADER + "\n").encode() + salt + envelope).digest()


def commitment(envelope: bytes, salt: bytes) -> bytes:
    """The log entry standing for an embargoed record's envelope."""
    return f"{COMMITMENT_HEADER}\nsha256 {commitment_digest(envelope, salt).hex()}\n".encode()


def is_commitment(entry: bytes) -> bool:
    return entry.startswith((COMMITMENT_HEADER + "\n").encode())


def open_commitment(entry: bytes, envelope: bytes, salt: bytes) -> Envelope:
    """Check that ``entry`` commits to ``envelope`` under ``salt``; return the envelope."""
    if entry != commitment(envelope, salt):
        raise VerificationError("the commitment does not open to this envelope and salt")
    return Envelope.from_bytes(envelope)
