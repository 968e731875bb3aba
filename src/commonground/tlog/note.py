"""Signed notes, C2SP signed-note v1.0.0, with Ed25519 keys (signature type 0x01).

https://c2sp.org/signed-note@v1.0.0 — behaviour follows golang.org/x/mod/sumdb/note:

- a note is UTF-8 text ending in a newline, a blank line, then signature lines
  ``— <name> <base64(key id ‖ signature)>`` (em dash U+2014); no ASCII control
  character but newline anywhere;
- the text is split from the signatures at the *last* blank line;
- signatures from unknown keys are ignored (kept as ``unverified``); a signature by a known
  key that fails rejects the note; a note with no verified signature is rejected;
- key id = SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4], big-endian;
- verifier key ``name+hex(key id)+base64(type ‖ public key)``; signer key (golang's form)
  ``PRIVATE+KEY+name+hex(key id)+base64(type ‖ seed)``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from commonground.tlog.errors import (
    FormatError,
    KeyLookupError,
    NoVerifiedSignatureError,
    SignatureError,
)

ED25519 = 0x01
"""Signature type byte of plain Ed25519 note signatures."""

SIGNATURE_PREFIX = "\u2014 "
"""Em dash and space, the start of every signature line."""

MAX_SIGNATURES = 100
"""Signature lines accepted per note (golang's cap; the spec asks for at least 16)."""

_HEX_ID = re.compile(r"[0-9a-f]{8}")


# --------------------------------------------------------------------------- helpers


def key_id(name: str, key_type: int, public_key: bytes) -> int:
    """SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4] as a big-endian uint32 — signed-note §Signatures."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([key_type]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def is_valid_name(name: str) -> bool:
    """Key names are non-empty and hold no Unicode space and no ``+``."""
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def b64decode(text: str) -> bytes:
    """Standard base64 (RFC 4648 §4) with padding; raises ``binascii.Error`` when invalid."""
    return base64.b64decode(text.encode("ascii"), validate=True)


def b64encode(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _split_key(text: str, parts: int, kind: str) -> list[str]:
    if not isinstance(text, str):
        raise FormatError(kind=kind, reason="must be text", value=text)
    fields = text.split("+", parts - 1)
    if len(fields) != parts:
        raise FormatError(kind=kind, reason=f"must have {parts} '+'-separated fields", value=text)
    return fields


def parse_key_text(text: str, *, private: bool) -> tuple[str, int, int, bytes]:
    """Split a vkey (or skey) into (name, key id, type byte, key material); checks syntax only."""
    kind = "signer key" if private else "verifier key"
    if private:
        head1, head2, name, hex_id, material = _split_key(text, 5, kind)
        if (head1, head2) != ("PRIVATE", "KEY"):
            raise FormatError(kind=kind, reason="must start with PRIVATE+KEY+", value=text[:12])
    else:
        name, hex_id, material = _split_key(text, 3, kind)
    if not is_valid_name(name):
        raise FormatError(kind=kind, reason="invalid key name", value=name)
    if not _HEX_ID.fullmatch(hex_id):
        raise FormatError(kind=kind, reason="key id must be 8 lowercase hex digits", value=hex_id)
    try:
        raw = b64decode(material)
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise FormatError(kind=kind, reason=f"bad base64 key ({exc})", value=material) from None
    if len(raw) < 2:
        raise FormatError(kind=kind, reason="key material too short", value=material)
    return name, int(hex_id, 16), raw[0], raw[1:]


# --------------------------------------------------------------------------- keys


@runtime_checkable
class NoteVerifier(Protocol):
    """What :func:`open_note` needs of a key: its name, key id and a verify function."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    def verify(self, message: bytes, signature: bytes) -> bool: ...


@runtime_checkable
class NoteSigner(Protocol):
    """What :func:`sign_note` needs of a key."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    def sign(self, message: bytes) -> bytes: ...


class Verifier:
    """An Ed25519 (type 0x01) note verifier — signed-note §Verifier keys."""

    key_type = ED25519

    def __init__(self, *, name: str, public_key: bytes) -> None:
        if not is_valid_name(name):
            raise FormatError(kind="verifier key", reason="invalid key name", value=name)
        if len(public_key) != 32:
            raise FormatError(
                kind="verifier key", reason="Ed25519 public key must be 32 bytes", value=public_key
            )
        self.name = name
        self.public_key = bytes(public_key)
        self.key_id = key_id(name, self.key_type, self.public_key)
        self._key = Ed25519PublicKey.from_public_bytes(self.public_key)

    @classmethod
    def from_text(cls, vkey: str) -> Verifier:
        """Parse ``name+hex(key id)+base64(0x01 ‖ public key)``, checking the key id."""
        name, kid, key_type, material = parse_key_text(vkey, private=False)
        if key_type != cls.key_type:
            raise FormatError(
                kind="verifier key", reason=f"key type must be 0x{cls.key_type:02x}", value=key_type
            )
        verifier = cls(name=name, public_key=material)
        if verifier.key_id != kid:
            raise FormatError(
                kind="verifier key",
                reason=f"key id does not match the key (computed {verifier.key_id:08x})",
                value=f"{kid:08x}",
            )
        return verifier

    def to_text(self) -> str:
        """The vkey text form."""
        raw = bytes([self.key_type]) + self.public_key
        return f"{self.name}+{self.key_id:08x}+{b64encode(raw)}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        """True when ``signature`` is this key's Ed25519 signature of ``message``."""
        try:
            self._key.verify(signature, message)
        except InvalidSignature:
            return False
        return True

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.to_text()!r})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.to_text() == self.to_text()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self.to_text())


class Signer:
    """An Ed25519 (type 0x01) note signer."""

    key_type = ED25519
    verifier_class: type[Verifier] = Verifier

    def __init__(self, *, name: str, seed: bytes) -> None:
        if not is_valid_name(name):
            raise FormatError(kind="signer key", reason="invalid key name", value=name)
        if len(seed) != 32:
            raise FormatError(kind="signer key", reason="Ed25519 seed must be 32 bytes")
        self.name = name
        self._seed = bytes(seed)
        self._key = Ed25519PrivateKey.from_private_bytes(self._seed)
        self.public_key = _raw_public(self._key.public_key())
        self.key_id = key_id(name, self.key_type, self.public_key)

    @classmethod
    def generate(cls, name: str) -> Signer:
        """A new random key."""
        from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

        seed = Ed25519PrivateKey.generate().private_bytes(
            Encoding.Raw, PrivateFormat.Raw, NoEncryption()
        )
        return cls(name=name, seed=seed)

    @classmethod
    def from_text(cls, skey: str) -> Signer:
        """Parse ``PRIVATE+KEY+name+hex(key id)+base64(type ‖ seed)``, checking the key id."""
        name, kid, key_type, material = parse_key_text(skey, private=True)
        if key_type != cls.key_type:
            raise FormatError(
                kind="signer key", reason=f"key type must be 0x{cls.key_type:02x}", value=key_type
            )
        signer = cls(name=name, seed=material)
        if signer.key_id != kid:
            raise FormatError(
                kind="signer key",
                reason=f"key id does not match the key (computed {signer.key_id:08x})",
                value=f"{kid:08x}",
            )
        return signer

    def to_text(self) -> str:
        """The skey text form (secret: keep it out of logs)."""
        raw = bytes([self.key_type]) + self._seed
        return f"PRIVATE+KEY+{self.name}+{self.key_id:08x}+{b64encode(raw)}"

    def verifier(self) -> Verifier:
        """The matching verifier."""
        return self.verifier_class(name=self.name, public_key=self.public_key)

    def sign(self, message: bytes) -> bytes:
        """Ed25519 signature of ``message`` (the note text)."""
        return self._key.sign(message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, key_id={self.key_id:08x})"


class VerifierList:
    """Known verifiers looked up by (name, key id), like golang's ``note.VerifierList``."""

    def __init__(self, verifiers: Iterable[NoteVerifier] = ()) -> None:
        self._by_key: dict[tuple[str, int], list[NoteVerifier]] = {}
        for v in verifiers:
            self._by_key.setdefault((v.name, v.key_id), []).append(v)

    def lookup(self, name: str, key_id: int) -> NoteVerifier:
        """The one verifier for (name, key id); :class:`KeyLookupError` if none or several."""
        found = self._by_key.get((name, key_id), [])
        if not found:
            raise KeyLookupError(name=name, key_id=key_id, reason="unknown")
        if len(found) > 1:
            raise KeyLookupError(name=name, key_id=key_id, reason="ambiguous")
        return found[0]

    def __contains__(self, name_and_id: object) -> bool:
        return name_and_id in self._by_key


# --------------------------------------------------------------------------- notes


@dataclass(frozen=True, slots=True)
class Signature:
    """One signature line: key name, key id and the base64 text as it appeared."""

    name: str
    key_id: int
    base64: str

    @property
    def signature(self) -> bytes:
        """The signature bytes after the 4-byte key id."""
        return b64decode(self.base64)[4:]

    @classmethod
    def create(cls, name: str, key_id: int, signature: bytes) -> Signature:
        return cls(name, key_id, b64encode(key_id.to_bytes(4, "big") + signature))

    @classmethod
    def from_line(cls, line: str, *, line_no: int | None = None) -> Signature:
        """Parse ``— <name> <base64>`` (without the newline)."""
        if not line.startswith(SIGNATURE_PREFIX):
            raise FormatError(
                kind="note",
                reason="signature line must start with an em dash and a space",
                value=line,
                line=line_no,
            )
        name, _, b64 = line[len(SIGNATURE_PREFIX) :].partition(" ")
        if not is_valid_name(name):
            raise FormatError(kind="note", reason="invalid key name", value=name, line=line_no)
        try:
            raw = b64decode(b64) if b64 else b""
        except (binascii.Error, UnicodeEncodeError, ValueError):
            raise FormatError(
                kind="note", reason="signature is not base64", value=b64, line=line_no
            ) from None
        if len(raw) < 5:
            raise FormatError(
                kind="note",
                reason="signature shorter than key id + 1 byte",
                value=b64,
                line=line_no,
            )
        return cls(name, int.from_bytes(raw[:4], "big"), b64)

    def to_line(self) -> str:
        """``— <name> <base64>\\n``."""
        return f"{SIGNATURE_PREFIX}{self.name} {self.base64}\n"


@dataclass(frozen=True, slots=True)
class Note:
    """A note: its text (with final newline), verified and unverified signatures.

    :meth:`from_text` checks syntax only and puts every signature in ``unverified``;
    :func:`open_note` verifies.  :meth:`to_text` writes ``signatures`` then ``unverified``.
    """

    text: str
    signatures: tuple[Signature, ...] = ()
    unverified: tuple[Signature, ...] = field(default=())

    @classmethod
    def from_text(cls, message: str | bytes, *, max_signatures: int = MAX_SIGNATURES) -> Note:
        """Parse a signed note without verifying it — signed-note §Format."""
        text, lines = _split_note(message)
        if len(lines) > max_signatures:
            raise FormatError(
                kind="note", reason=f"more than {max_signatures} signatures", value=len(lines)
            )
        first = text.count("\n") + 2
        sigs = tuple(Signature.from_line(ln, line_no=first + i) for i, ln in enumerate(lines))
        return cls(text=text, unverified=sigs)

    def to_text(self) -> str:
        """The signed note: text, blank line, signature lines."""
        _check_text(self.text)
        if not self.signatures and not self.unverified:
            raise FormatError(kind="note", reason="a signed note needs at least one signature")
        return self.text + "\n" + "".join(s.to_line() for s in self.signatures + self.unverified)


def _check_text(text: str) -> None:
    if not isinstance(text, str):
        raise FormatError(kind="note", reason="text must be str", value=text)
    if not text.endswith("\n"):
        raise FormatError(kind="note", reason="text must end in a newline", value=text[-20:])
    for i, ch in enumerate(text):
        if ch < " " and ch != "\n":
            raise FormatError(
                kind="note", reason="control character", value=ch, line=text.count("\n", 0, i) + 1
            )
        if "\ud800" <= ch <= "\udfff":
            raise FormatError(kind="note", reason="not valid UTF-8 (lone surrogate)", value=ch)


def _split_note(message: str | bytes) -> tuple[str, list[str]]:
    """Text (with its final newline) and the signature lines (without newlines)."""
    if isinstance(message, bytes | bytearray | memoryview):
        try:
            message = bytes(message).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FormatError(
                kind="note",
                reason=f"not valid UTF-8 at byte {exc.start}",
                value=bytes(message)[exc.start : exc.start + 4],
            ) from None
    if not isinstance(message, str):
        raise FormatError(kind="note", reason="must be text or bytes", value=message)
    for i, ch in enumerate(message):
        if (ch < " " and ch != "\n") or "\ud800" <= ch <= "\udfff":
            raise FormatError(
                kind="note",
                reason="control character or invalid UTF-8",
                value=ch,
                line=message.count("\n", 0, i) + 1,
            )
    split = message.rfind("\n\n")
    if split < 0:
        raise FormatError(kind="note", reason="no blank line before the signatures")
    text, sigs = message[: split + 1], message[split + 2 :]
    if not sigs:
        raise FormatError(kind="note", reason="no signatures after the blank line")
    if not sigs.endswith("\n"):
        raise FormatError(kind="note", reason="last signature line lacks its newline")
    return text, sigs[:-1].split("\n")


def open_note(
    message: str | bytes,
    verifiers: VerifierList | Iterable[NoteVerifier],
    *,
    max_signatures: int = MAX_SIGNATURES,
) -> Note:
    """Parse and verify a signed note — signed-note §Signatures (golang's ``note.Open``).

    Identical repeated signature lines count once.  Raises :class:`FormatError` for a
    malformed note, :class:`KeyLookupError` for an ambiguous key, :class:`SignatureError`
    when a known key's signature fails, :class:`NoVerifiedSignatureError` (holding the
    parsed note) when no known key signed it.
    """
    known = verifiers if isinstance(verifiers, VerifierList) else VerifierList(verifiers)
    parsed = Note.from_text(message, max_signatures=max_signatures)
    text_bytes = parsed.text.encode("utf-8")
    verified: list[Signature] = []
    unverified: list[Signature] = []
    seen: set[tuple[str, int]] = set()
    seen_unknown: set[Signature] = set()
    for sig in parsed.unverified:
        try:
            v = known.lookup(sig.name, sig.key_id)
        except KeyLookupError as exc:
            if exc.reason != "unknown":
                raise
            if sig not in seen_unknown:
                seen_unknown.add(sig)
                unverified.append(sig)
            continue
        if v.name != sig.name or v.key_id != sig.key_id:
            raise SignatureError(
                name=sig.name,
                key_id=sig.key_id,
                reason=f"verifier lookup returned another key ({v.name}+{v.key_id:08x})",
            )
        if (sig.name, sig.key_id) in seen:
            continue
        seen.add((sig.name, sig.key_id))
        if not v.verify(text_bytes, sig.signature):
            raise SignatureError(name=sig.name, key_id=sig.key_id)
        verified.append(sig)
    note = Note(text=parsed.text, signatures=tuple(verified), unverified=tuple(unverified))
    if not verified:
        raise NoVerifiedSignatureError(note)
    return note


def sign_note(note: Note | str, signers: Sequence[NoteSigner]) -> str:
    """Sign ``note`` with each signer and return the signed note text (golang's ``note.Sign``).

    Existing signatures are kept, except those by the same (name, key id) as a new signer,
    which are replaced; new signatures come last.
    """
    if isinstance(note, str):
        note = Note(text=note)
    _check_text(note.text)
    if not signers and not (note.signatures or note.unverified):
        raise FormatError(kind="note", reason="a signed note needs at least one signature")
    message = note.text.encode("utf-8")
    new: list[Signature] = []
    replaced: set[tuple[str, int]] = set()
    for s in signers:
        if not is_valid_name(s.name):
            raise FormatError(kind="signer key", reason="invalid key name", value=s.name)
        replaced.add((s.name, s.key_id))
        new.append(Signature.create(s.name, s.key_id, s.sign(message)))
    kept: list[Signature] = []
    for sig in note.signatures + note.unverified:
        if not is_valid_name(sig.name):
            raise FormatError(kind="note", reason="invalid key name", value=sig.name)
        if (sig.name, sig.key_id) in replaced:
            continue
        try:
            raw = b64decode(sig.base64)
        except (binascii.Error, UnicodeEncodeError, ValueError):
            raise FormatError(
                kind="note", reason="signature is not base64", value=sig.base64
            ) from None
        if len(raw) < 5 or int.from_bytes(raw[:4], "big") != sig.key_id:
            raise FormatError(
                kind="note", reason="signature does not start with its key id", value=sig.base64
            )
        kept.append(sig)
    return Note(text=note.text, signatures=tuple(kept + new)).to_text()
