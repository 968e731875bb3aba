"""Checkpoints, C2SP tlog-checkpoint v1.0.0: the signed tree head of a log.

https://c2sp.org/tlog-checkpoint@v1.0.0 — the note text is

    <origin>\\n<tree size in decimal, no leading zeros>\\n<base64 root hash>\\n[<extension>\\n]*

and the checkpoint is signed as a note (:mod:`commonground.tlog.note`), by the log's key
whose name should equal the origin.  :meth:`Checkpoint.from_text` / :meth:`to_text` handle
the note text (the *body*); :func:`sign_checkpoint` / :func:`open_checkpoint` the signed note.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from commonground.tlog.errors import FormatError
from commonground.tlog.hashing import EMPTY_ROOT, HASH_SIZE
from commonground.tlog.note import (
    Note,
    NoteSigner,
    NoteVerifier,
    VerifierList,
    b64decode,
    b64encode,
    open_note,
    sign_note,
)

_SIZE = re.compile(r"0|[1-9][0-9]*")
MAX_SIZE = 2**64 - 1


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """Origin, tree size, root hash and optional extension lines of a log's tree head."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_line("origin", self.origin, 1)
        if not isinstance(self.size, int) or isinstance(self.size, bool):
            raise FormatError(kind="checkpoint", reason="tree size must be an integer", line=2)
        if not 0 <= self.size <= MAX_SIZE:
            raise FormatError(
                kind="checkpoint", reason="tree size must be in [0, 2^64)", value=self.size, line=2
            )
        if not isinstance(self.root_hash, bytes) or len(self.root_hash) != HASH_SIZE:
            raise FormatError(
                kind="checkpoint", reason="root hash must be 32 bytes", value=self.root_hash, line=3
            )
        for i, ext in enumerate(self.extensions):
            _check_line("extension line", ext, 4 + i)

    @classmethod
    def from_text(cls, text: str | bytes) -> Checkpoint:
        """Parse the note text of a checkpoint — tlog-checkpoint §Note text."""
        if isinstance(text, bytes | bytearray):
            try:
                text = bytes(text).decode("utf-8")
            except UnicodeDecodeError as exc:
                raise FormatError(
                    kind="checkpoint", reason=f"not valid UTF-8 at byte {exc.start}"
                ) from None
        if not isinstance(text, str):
            raise FormatError(kind="checkpoint", reason="must be text", value=text)
        if not text.endswith("\n"):
            raise FormatError(kind="checkpoint", reason="must end in a newline", value=text[-20:])
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise FormatError(
                kind="checkpoint", reason="needs origin, size and root hash lines", value=text
            )
        origin, size_text, root_text, *extensions = lines
        if not _SIZE.fullmatch(size_text):
            raise FormatError(
                kind="checkpoint",
                reason="tree size must be decimal without leading zeros",
                value=size_text,
                line=2,
            )
        size = int(size_text)
        if size > MAX_SIZE:
            raise FormatError(
                kind="checkpoint", reason="tree size exceeds 2^64 - 1", value=size_text, line=2
            )
        try:
            root = b64decode(root_text)
        except (binascii.Error, UnicodeEncodeError, ValueError):
            raise FormatError(
                kind="checkpoint", reason="root hash is not base64", value=root_text, line=3
            ) from None
        if len(root) != HASH_SIZE or b64encode(root) != root_text:
            raise FormatError(
                kind="checkpoint",
                reason="root hash must be the canonical base64 of 32 bytes",
                value=root_text,
                line=3,
            )
        return cls(origin=origin, size=size, root_hash=root, extensions=tuple(extensions))

    def to_text(self) -> str:
        """The note text: origin, size, base64 root, extension lines, each ending in newline."""
        lines = [self.origin, str(self.size), b64encode(self.root_hash), *self.extensions]
        return "".join(line + "\n" for line in lines)

    def is_empty_tree(self) -> bool:
        """Size 0 with the empty-tree root (what tlog-witness requires of a size-0 checkpoint)."""
        return self.size == 0 and self.root_hash == EMPTY_ROOT


def _check_line(what: str, line: object, line_no: int) -> None:
    if not isinstance(line, str) or not line:
        raise FormatError(kind="checkpoint", reason=f"{what} must be non-empty", line=line_no)
    for ch in line:
        if ch < " " or "\ud800" <= ch <= "\udfff":
            raise FormatError(
                kind="checkpoint",
                reason=f"{what} holds a control character",
                value=line,
                line=line_no,
            )


def sign_checkpoint(checkpoint: Checkpoint, signers: Sequence[NoteSigner]) -> str:
    """The checkpoint as a signed note."""
    return sign_note(checkpoint.to_text(), signers)


def open_checkpoint(
    message: str | bytes, verifiers: VerifierList | Iterable[NoteVerifier]
) -> tuple[Checkpoint, Note]:
    """Verify a signed checkpoint note and parse its body.

    The note must carry a valid signature by one of ``verifiers`` (normally just the log's
    key); other signatures, such as witness cosignatures, are left in ``note.unverified``.
    """
    note = open_note(message, verifiers)
    return Checkpoint.from_text(note.text), note
