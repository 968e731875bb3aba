"""Witness cosignatures, C2SP tlog-cosignature v1.0.1 (note signature type 0x04).

https://c2sp.org/tlog-cosignature@v1.0.1

- key id = SHA-256(name ‖ 0x0A ‖ 0x04 ‖ 32-byte Ed25519 public key)[:4];
- the signed message is ``cosignature/v1\\ntime <unix seconds>\\n`` followed by the whole
  checkpoint note text;
- the note signature is ``key id ‖ uint64 big-endian timestamp ‖ 64-byte Ed25519 signature``
  (the 72 bytes after the key id are a ``timestamped_signature``).

:class:`Cosigner` and :class:`CosignatureVerifier` plug into :func:`note.sign_note` and
:func:`note.open_note` like the plain Ed25519 keys do.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from commonground.tlog.errors import FormatError, SignatureError
from commonground.tlog.note import Signature, Signer, Verifier

COSIGNATURE_V1 = 0x04
"""Signature type byte of timestamped Ed25519 cosignatures."""

HEADER = "cosignature/v1"
MAX_TIMESTAMP = 2**63 - 1
SIGNATURE_SIZE = 8 + 64


def cosigned_message(checkpoint_text: str, timestamp: int) -> bytes:
    """``cosignature/v1\\ntime <t>\\n`` + checkpoint note text — tlog-cosignature §Signed message."""
    if not isinstance(timestamp, int) or not 0 <= timestamp <= MAX_TIMESTAMP:
        raise FormatError(
            kind="cosignature", reason="timestamp must be in [0, 2^63)", value=timestamp
        )
    return f"{HEADER}\ntime {timestamp}\n{checkpoint_text}".encode()


@dataclass(frozen=True, slots=True)
class TimestampedSignature:
    """The 72-byte ``timestamped_signature`` structure."""

    timestamp: int
    signature: bytes

    @classmethod
    def from_bytes(cls, raw: bytes) -> TimestampedSignature:
        if len(raw) != SIGNATURE_SIZE:
            raise FormatError(
                kind="cosignature", reason=f"is {len(raw)} bytes, want {SIGNATURE_SIZE}", value=raw
            )
        timestamp = int.from_bytes(raw[:8], "big")
        if timestamp > MAX_TIMESTAMP:
            raise FormatError(
                kind="cosignature", reason="timestamp exceeds 2^63 - 1", value=timestamp
            )
        return cls(timestamp, bytes(raw[8:]))

    def to_bytes(self) -> bytes:
        return self.timestamp.to_bytes(8, "big") + self.signature


class CosignatureVerifier(Verifier):
    """A witness's cosignature/v1 verifier; vkey ``name+hex(id)+base64(0x04 ‖ public key)``."""

    key_type = COSIGNATURE_V1

    def verify(self, message: bytes, signature: bytes) -> bool:
        """True when ``signature`` (72 bytes) cosigns the checkpoint text ``message``."""
        try:
            ts = TimestampedSignature.from_bytes(signature)
            signed = cosigned_message(message.decode("utf-8"), ts.timestamp)
        except (FormatError, UnicodeDecodeError):
            return False
        return super().verify(signed, ts.signature)

    def verify_cosignature(self, checkpoint_text: str, signature: Signature) -> int:
        """Check one cosignature line on ``checkpoint_text``; return its timestamp.

        Raises :class:`SignatureError` naming the key when it is not this witness's or
        does not verify.
        """
        if (signature.name, signature.key_id) != (self.name, self.key_id):
            raise SignatureError(
                name=signature.name, key_id=signature.key_id, reason="not this witness's key"
            )
        ts = TimestampedSignature.from_bytes(signature.signature)
        if not self.verify(checkpoint_text.encode("utf-8"), ts.to_bytes()):
            raise SignatureError(name=self.name, key_id=self.key_id)
        return ts.timestamp


class Cosigner(Signer):
    """A witness's cosignature/v1 signing key; ``clock`` gives the Unix time to stamp."""

    key_type = COSIGNATURE_V1
    verifier_class = CosignatureVerifier

    def __init__(self, *, name: str, seed: bytes, clock: Callable[[], float] = time.time) -> None:
        super().__init__(name=name, seed=seed)
        self.clock = clock

    def sign(self, message: bytes) -> bytes:
        """The 72-byte timestamped signature of checkpoint text ``message`` at ``clock()``."""
        return self.sign_at(message, int(self.clock()))

    def sign_at(self, message: bytes, timestamp: int) -> bytes:
        """The 72-byte timestamped signature of ``message`` at ``timestamp``."""
        signed = cosigned_message(message.decode("utf-8"), timestamp)
        return TimestampedSignature(timestamp, self._key.sign(signed)).to_bytes()

    def cosign(self, checkpoint_text: str, timestamp: int | None = None) -> Signature:
        """A cosignature line (as a :class:`Signature`) for ``checkpoint_text``."""
        when = int(self.clock()) if timestamp is None else timestamp
        raw = self.sign_at(checkpoint_text.encode("utf-8"), when)
        return Signature.create(self.name, self.key_id, raw)

    def verifier(self) -> CosignatureVerifier:
        return CosignatureVerifier(name=self.name, public_key=self.public_key)
