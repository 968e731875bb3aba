"""The log's side of C2SP tlog-witness: send checkpoints to witnesses, collect cosignatures.

:class:`WitnessClient` posts ``add-checkpoint`` to one witness with a consistency proof
from the size it believes the witness holds.  On 409 the witness answers with the size it
does hold (``text/x.tlog.size``); the client remembers it, builds a proof from that size
and retries once.  The cosignature lines of a 200 answer are verified against the
witness's key before they are returned; lines from other keys are ignored.

:func:`collect_cosignatures` asks several witnesses and returns the checkpoint note with
their cosignatures added; :func:`find_split_views` compares cosigned checkpoints from
different witnesses and reports any two of the same log and size with different roots —
evidence that the log showed them different trees (a fork).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import httpx

from commonground.tlog.checkpoint import Checkpoint
from commonground.tlog.cosignature import CosignatureVerifier
from commonground.tlog.errors import FormatError, TlogError
from commonground.tlog.note import SIGNATURE_PREFIX, Note, Signature
from commonground.tlog.witness import SIZE_CONTENT_TYPE, format_request

ProofSource = Callable[[int, int], Sequence[bytes]]
"""``proof(old, new)`` → the consistency proof between two sizes of the log."""


class WitnessRefusedError(TlogError):
    """A witness answered add-checkpoint with something other than 200."""

    code = "tlog-witness-refused"

    def __init__(self, witness: str, status: int, body: str) -> None:
        self.witness = witness
        self.status = status
        self.body = body
        super().__init__(f"witness {witness} answered {status}: {body.strip()[:200]}")


@dataclass
class WitnessClient:
    """One witness: its submission URL prefix, its cosignature key and the size it holds."""

    url: str
    verifier: CosignatureVerifier
    known_size: int = 0
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10.0))

    @property
    def name(self) -> str:
        return self.verifier.name

    def add_checkpoint(self, signed_checkpoint: str, proof: ProofSource) -> list[Signature]:
        """Submit ``signed_checkpoint``; return this witness's verified cosignatures.

        Raises :class:`WitnessRefusedError` on any answer but 200 (after one retry on 409).
        """
        checkpoint = Checkpoint.from_text(Note.from_text(signed_checkpoint).text)
        for attempt in range(2):
            old = self.known_size
            hashes = proof(old, checkpoint.size) if 0 < old < checkpoint.size else []
            response = self.client.post(
                self.url.rstrip("/") + "/add-checkpoint",
                content=format_request(old, hashes, signed_checkpoint),
            )
            if response.status_code == 409 and attempt == 0:
                self.known_size = _held_size(self.name, response)
                if self.known_size > checkpoint.size:
                    break
                continue
            if response.status_code != 200:
                break
            self.known_size = checkpoint.size
            return self._verify(checkpoint.to_text(), response.text)
        raise WitnessRefusedError(self.name, response.status_code, response.text)

    def _verify(self, checkpoint_text: str, body: str) -> list[Signature]:
        out: list[Signature] = []
        for i, line in enumerate(body.splitlines(), start=1):
            if not line.startswith(SIGNATURE_PREFIX):
                raise FormatError(kind="witness response", reason="not a signature", line=i)
            sig = Signature.from_line(line, line_no=i)
            if (sig.name, sig.key_id) == (self.verifier.name, self.verifier.key_id):
                self.verifier.verify_cosignature(checkpoint_text, sig)
                out.append(sig)
        if not out:
            raise WitnessRefusedError(self.name, 200, "no cosignature by the witness's key")
        return out

    def close(self) -> None:
        self.client.close()


def _held_size(name: str, response: httpx.Response) -> int:
    kind = response.headers.get("content-type", "").split(";")[0].strip()
    text = response.text
    if kind != SIZE_CONTENT_TYPE or not text.endswith("\n") or not text[:-1].isdigit():
        raise WitnessRefusedError(name, 409, f"bad size answer {text[:40]!r} ({kind})")
    return int(text[:-1])


@dataclass
class Collected:
    """The outcome of :func:`collect_cosignatures`."""

    note: str
    cosigned_by: list[str]
    refused: dict[str, WitnessRefusedError]


def collect_cosignatures(
    signed_checkpoint: str, witnesses: Iterable[WitnessClient], proof: ProofSource
) -> Collected:
    """Ask every witness; the checkpoint note with the cosignatures that verified added."""
    lines: list[str] = []
    names: list[str] = []
    refused: dict[str, WitnessRefusedError] = {}
    for witness in witnesses:
        try:
            sigs = witness.add_checkpoint(signed_checkpoint, proof)
        except WitnessRefusedError as exc:
            refused[witness.name] = exc
            continue
        except httpx.HTTPError as exc:
            refused[witness.name] = WitnessRefusedError(witness.name, 0, str(exc))
            continue
        names.append(witness.name)
        lines.extend(s.to_line() for s in sigs)
    return Collected(signed_checkpoint + "".join(lines), names, refused)


@dataclass(frozen=True, slots=True)
class SplitView:
    """Two cosigned checkpoints of one log at one size with different roots."""

    origin: str
    size: int
    first: tuple[str, bytes]
    second: tuple[str, bytes]


def find_split_views(views: Iterable[tuple[str, Checkpoint]]) -> list[SplitView]:
    """Compare (witness name, cosigned checkpoint) pairs; report every disagreement."""
    seen: dict[tuple[str, int], tuple[str, bytes]] = {}
    splits: list[SplitView] = []
    for witness, cp in views:
        key = (cp.origin, cp.size)
        if key not in seen:
            seen[key] = (witness, cp.root_hash)
        elif seen[key][1] != cp.root_hash:
            splits.append(SplitView(cp.origin, cp.size, seen[key], (witness, cp.root_hash)))
    return splits
