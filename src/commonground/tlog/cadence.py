"""Checkpoints on a fixed cadence: sign when due, gather cosignatures, store, publish.

The ledger's rule is that a log signs checkpoints on a fixed cadence so that witnesses
cosign the same ones.  :func:`checkpoint_once` is one tick:

1. in a write transaction, if :func:`storage.checkpoint_due` says so, sign a checkpoint of
   the whole log (:func:`storage.sign_checkpoint` refuses a tree inconsistent with the last
   checkpoint it signed);
2. send it to the witnesses (:func:`witness_client.collect_cosignatures`, with consistency
   proofs read from the store) and store the cosigned note in the same checkpoint row: the
   cosigned note is the signed note plus cosignature lines, so before storing it the body
   must be the one signed, the log's own signature must still verify, and the row must
   still hold the note just signed;
3. optionally check it against a tlog-policy quorum and publish the tiles.

:func:`run_cadence` repeats ticks every ``interval`` until interrupted.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import select, update

from commonground.store.engine import Store
from commonground.tlog import storage
from commonground.tlog.checkpoint import open_checkpoint
from commonground.tlog.cosignature import CosignatureVerifier
from commonground.tlog.errors import TlogError
from commonground.tlog.models import TlogCheckpoint, TlogCoordinator
from commonground.tlog.note import Note, Signer
from commonground.tlog.policy import Policy
from commonground.tlog.publish import Published, publish
from commonground.tlog.witness_client import WitnessClient, collect_cosignatures


class CadenceError(TlogError):
    """A checkpoint tick could not complete as asked."""

    code = "tlog-cadence"


@dataclass
class Tick:
    """What one :func:`checkpoint_once` did."""

    origin: str
    signed: bool
    size: int
    note: str | None
    cosigned_by: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    quorum_met: bool | None = None
    quorum_detail: str = ""
    published: Published | None = None


def store_cosigned(session, origin: str, signed: str, cosigned: str, signer: Signer) -> None:  # type: ignore[no-untyped-def]
    """Replace the stored note ``signed`` by ``cosigned`` (same body, more signatures)."""
    before, after = Note.from_text(signed), Note.from_text(cosigned)
    if before.text != after.text:
        raise CadenceError("the cosigned note's checkpoint body differs from the one signed")
    open_checkpoint(cosigned, [signer.verifier()])  # the log's signature is still there
    coord = TlogCoordinator.__table__
    c = TlogCheckpoint.__table__
    log_id = select(coord.c.id).where(coord.c.origin == origin).scalar_subquery()
    row = (
        session.connection()
        .execute(select(c.c.id, c.c.note).where(c.c.log_id == log_id).order_by(c.c.id.desc()))
        .first()
    )
    if row is None or row.note != signed:
        raise CadenceError(
            "the latest stored checkpoint is no longer the one sent to the witnesses"
        )
    session.connection().execute(update(c).where(c.c.id == row.id).values(note=cosigned))


def resolve_witnesses(
    specs: Sequence[str], policy: Policy | None, read_key: Callable[[str], str] = str.strip
) -> list[WitnessClient]:
    """Witness clients for ``--witness`` specs.

    A spec is ``VKEY=URL`` (``read_key`` turns a file name into the key text), or the name
    or URL of a witness in ``policy``.  With no specs, every policy witness that has a URL.
    """
    entries = list(policy.witnesses.values()) if policy is not None else []
    if not specs:
        return [WitnessClient(w.url, w.verifier) for w in entries if w.url]
    out: list[WitnessClient] = []
    for spec in specs:
        key, sep, url = spec.partition("=")
        if sep and not key.startswith(("http://", "https://")):
            out.append(WitnessClient(url, CosignatureVerifier.from_text(read_key(key).strip())))
            continue
        match = [w for w in entries if spec in (w.name, w.url)]
        if not match:
            raise CadenceError(
                f"--witness {spec}: give VKEY=URL, or the name or URL of a policy witness"
            )
        w = match[0]
        url = spec if spec.startswith(("http://", "https://")) else w.url
        if not url:
            raise CadenceError(f"--witness {spec}: the policy gives this witness no URL")
        out.append(WitnessClient(url, w.verifier))
    return out


def quorum_report(policy: Policy, cosigners: set[str]) -> tuple[bool, str]:
    """Whether ``cosigners`` meet the quorum, and which groups they satisfy."""
    lines = []
    for group in policy.groups.values():
        have = [m for m in group.members if replace(policy, quorum=m).satisfied(cosigners)]
        ok = len(have) >= group.threshold
        lines.append(
            f"group {group.name}: {len(have)} of {group.threshold} needed "
            f"({', '.join(have) or 'none'}) {'satisfied' if ok else 'NOT satisfied'}"
        )
    met = policy.satisfied(cosigners)
    lines.append(f"quorum {policy.quorum}: {'met' if met else 'NOT met'}")
    return met, "\n".join(lines)


def checkpoint_once(
    store: Store,
    origin: str,
    signer: Signer,
    *,
    interval: dt.timedelta = dt.timedelta(0),
    witnesses: Sequence[WitnessClient] = (),
    policy: Policy | None = None,
    publish_dir: Path | None = None,
    now: dt.datetime | None = None,
) -> Tick:
    """One tick of the cadence (see the module docstring)."""
    if signer.name != origin:
        raise CadenceError(f"the signer key is named {signer.name!r}, not the origin {origin!r}")
    with store.transaction() as session:
        due = storage.checkpoint_due(session, origin, interval, now)
        note = storage.sign_checkpoint(session, origin, signer, now=now) if due else None
        size = storage.log_size(session, origin)
    tick = Tick(origin=origin, signed=note is not None, size=size, note=note)
    if note is not None and witnesses:

        def proof(old: int, new: int) -> list[bytes]:
            with store.sessions() as s:
                return storage.consistency_proof(s, origin, old, new)

        collected = collect_cosignatures(note, witnesses, proof)
        tick.cosigned_by = collected.cosigned_by
        tick.refused = {name: str(err) for name, err in collected.refused.items()}
        if collected.cosigned_by:
            with store.transaction() as session:
                store_cosigned(session, origin, note, collected.note, signer)
            tick.note = collected.note
    if note is not None and policy is not None:
        names = policy.cosigners(Note.from_text(tick.note or note))
        tick.quorum_met, tick.quorum_detail = quorum_report(policy, names)
    if publish_dir is not None:
        with store.sessions() as session:
            if storage.latest_checkpoint(session, origin) is not None:
                tick.published = publish(session, origin, publish_dir)
    return tick


def run_cadence(
    tick: Callable[[], Tick],
    interval: float,
    *,
    report: Callable[[Tick], None],
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    max_ticks: int | None = None,
) -> int:
    """Run ``tick`` every ``interval`` seconds (fixed rate) until interrupted; return ticks."""
    done = 0
    next_at = clock()
    try:
        while max_ticks is None or done < max_ticks:
            report(tick())
            done += 1
            next_at += interval
            if max_ticks is None or done < max_ticks:
                sleep(max(0.0, next_at - clock()))
    except KeyboardInterrupt:
        pass
    return done
