"""Errors raised by the transparency log library; each one carries its evidence.

    commonground.errors.Error
    └── TlogError                  base for everything in commonground.tlog
        ├── FormatError            malformed text or bytes (note, key, checkpoint, tile path …)
        ├── KeyLookupError         a (name, key id) pair names no key, or more than one
        └── VerificationError      a proof or signature does not hold
            ├── ProofInputError    inputs rejected before any hashing (index ≥ size, hash length …)
            ├── RootMismatchError  the proof chains to a root other than the expected one
            ├── SignatureError     a signature by a known key fails to verify
            └── NoVerifiedSignatureError  no signature by a known key is on the note

Like merkle's ``RootMismatchError{ExpectedRoot, CalculatedRoot}`` these keep the
values that disagreed, so a caller (or an audit report) can show them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from commonground.errors import Error

if TYPE_CHECKING:  # pragma: no cover
    from commonground.tlog.note import Note


def _show(value: object, limit: int = 80) -> str:
    shown = value.hex() if isinstance(value, bytes | bytearray) else repr(value)
    return shown[: limit - 3] + "..." if len(shown) > limit else shown


class TlogError(Error):
    """Base class of the transparency-log errors."""

    code = "tlog"


class FormatError(TlogError):
    """Malformed input: ``kind`` says what was being parsed (``"note"``, ``"checkpoint"`` …).

    ``line`` is 1-based when the fault is on a known line; ``value`` is the offending part.
    """

    code = "tlog-format"

    def __init__(
        self, *, kind: str, reason: str, value: object = None, line: int | None = None
    ) -> None:
        self.kind = kind
        self.reason = reason
        self.value = value
        self.line = line
        where = kind + (f", line {line}" if line is not None else "")
        detail = reason + (f" (got {_show(value)})" if value not in (None, "", b"") else "")
        super().__init__(f"malformed {where}: {detail}")


class KeyLookupError(TlogError):
    """No verifier, or more than one, matches a signature's key name and key id."""

    code = "tlog-key-lookup"

    def __init__(self, *, name: str, key_id: int, reason: str) -> None:
        self.name = name
        self.key_id = key_id
        self.reason = reason
        super().__init__(f"{reason} key {name}+{key_id:08x}")


class VerificationError(TlogError):
    """Something claimed (a proof, a signature) does not hold."""

    code = "tlog-verification"


class ProofInputError(VerificationError):
    """A proof was rejected on its inputs alone, before hashing (merkle's checks-first rule)."""

    code = "tlog-proof-input"

    def __init__(self, *, field: str, reason: str, value: object = None) -> None:
        self.field = field
        self.reason = reason
        self.value = value
        detail = f" (got {_show(value)})" if value is not None else ""
        super().__init__(f"{field}: {reason}{detail}")


class RootMismatchError(VerificationError):
    """The proof chains to ``calculated`` but ``expected`` was given (``which`` names the root)."""

    code = "tlog-root-mismatch"

    def __init__(self, *, expected: bytes, calculated: bytes, which: str = "root") -> None:
        self.expected = bytes(expected)
        self.calculated = bytes(calculated)
        self.which = which
        super().__init__(
            f"{which} mismatch: calculated {self.calculated.hex()}, expected {self.expected.hex()}"
        )


class SignatureError(VerificationError):
    """A signature by a known key did not verify; the whole note is rejected."""

    code = "tlog-signature"

    def __init__(self, *, name: str, key_id: int, reason: str = "invalid signature") -> None:
        self.name = name
        self.key_id = key_id
        self.reason = reason
        super().__init__(f"{reason} for key {name}+{key_id:08x}")


class NoVerifiedSignatureError(VerificationError):
    """The note parsed, but no signature on it is from a known key (``note`` holds it)."""

    code = "tlog-unverified"

    def __init__(self, note: Note, **extra: Any) -> None:
        self.note = note
        self.extra = extra
        names = ", ".join(f"{s.name}+{s.key_id:08x}" for s in note.unverified) or "none"
        super().__init__(f"note has no verifiable signatures (signatures from: {names})")
