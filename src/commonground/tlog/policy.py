"""Transparency-log trust policies, C2SP tlog-policy.

A policy lists logs (``log <vkey> [<url>]``), witnesses (``witness <name> <vkey> [<url>]``),
groups (``group <name> all|any|<k> <member>...``) and exactly one ``quorum <name>``
(``none`` for no cosignatures).  Groups nest — "two witnesses from each of two countries"
is ``group DE 2 …``, ``group FR 2 …``, ``group both all DE FR`` — and may name only
witnesses and groups defined on earlier lines, each member at most once.

:func:`parse_policy` raises :class:`~commonground.tlog.errors.FormatError` (kind
``"policy"``) naming the 1-based line; :meth:`Policy.satisfied` evaluates a set of
witness names that verifiably cosigned; :meth:`Policy.verify_checkpoint` does the whole
check on a cosigned checkpoint note.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from commonground.tlog.checkpoint import Checkpoint, open_checkpoint
from commonground.tlog.cosignature import CosignatureVerifier
from commonground.tlog.errors import FormatError, VerificationError
from commonground.tlog.note import Note, Verifier

NONE = "none"
_WS = re.compile(r"[ \t]+")
_K = re.compile(r"[1-9][0-9]*")


class QuorumError(VerificationError):
    """The checkpoint's verified cosigners do not satisfy the policy's quorum."""

    code = "tlog-quorum"

    def __init__(self, quorum: str, cosigners: Iterable[str]) -> None:
        self.quorum = quorum
        self.cosigners = sorted(cosigners)
        shown = ", ".join(self.cosigners) or "none"
        super().__init__(f"quorum {quorum!r} not met (verified cosigners: {shown})")


@dataclass(frozen=True, slots=True)
class LogEntry:
    verifier: Verifier
    url: str | None = None


@dataclass(frozen=True, slots=True)
class WitnessEntry:
    name: str
    verifier: CosignatureVerifier
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Group:
    name: str
    threshold: int
    members: tuple[str, ...]


@dataclass(slots=True)
class Policy:
    logs: list[LogEntry] = field(default_factory=list)
    witnesses: dict[str, WitnessEntry] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    quorum: str = NONE

    def satisfied(self, cosigners: Iterable[str]) -> bool:
        """True when the witnesses named ``cosigners`` (policy names) meet the quorum."""
        have = set(cosigners)
        memo: dict[str, bool] = {}

        def witnessed(name: str) -> bool:
            if name not in memo:
                group = self.groups.get(name)
                if group is None:
                    memo[name] = name in have and name in self.witnesses
                else:
                    memo[name] = sum(map(witnessed, group.members)) >= group.threshold
            return memo[name]

        return self.quorum == NONE or witnessed(self.quorum)

    def cosigners(self, note: Note) -> set[str]:
        """Policy names of the witnesses whose cosignatures on ``note`` verify.

        Signatures by unknown keys are ignored; one by a known witness key that fails
        raises :class:`SignatureError`.
        """
        by_key = {(w.verifier.name, w.verifier.key_id): w for w in self.witnesses.values()}
        found: set[str] = set()
        for sig in note.signatures + note.unverified:
            entry = by_key.get((sig.name, sig.key_id))
            if entry is not None:
                entry.verifier.verify_cosignature(note.text, sig)
                found.add(entry.name)
        return found

    def verify_checkpoint(self, signed: str | bytes) -> tuple[Checkpoint, set[str]]:
        """Check a cosigned checkpoint: a listed log's signature, then the quorum."""
        if not self.logs:
            raise FormatError(kind="policy", reason="lists no log to verify against")
        checkpoint, note = open_checkpoint(signed, [entry.verifier for entry in self.logs])
        names = self.cosigners(note)
        if not self.satisfied(names):
            raise QuorumError(self.quorum, names)
        return checkpoint, names


def _err(line: int, reason: str, value: object = None) -> FormatError:
    return FormatError(kind="policy", reason=reason, value=value, line=line)


def parse_policy(text: str | bytes) -> Policy:
    """Parse a tlog-policy file; every error names its line."""
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8", errors="surrogateescape")
    policy = Policy()
    quorum_line: int | None = None
    log_keys: set[bytes] = set()
    witness_keys: set[bytes] = set()
    for n, raw in enumerate(text.split("\n"), start=1):
        for ch in raw:
            if ch != "\t" and (ch < " " or ch == "\x7f"):
                raise _err(n, "control character", ch)
        line = raw.strip(" \t")
        if not line or line.startswith("#"):
            continue
        keyword, *args = _WS.split(line)
        if keyword == "log":
            if len(args) not in (1, 2):
                raise _err(n, "want 'log <vkey> [<url>]'", line)
            verifier = _key(Verifier, args[0], n)
            if verifier.public_key in log_keys:
                raise _err(n, "duplicate log key", args[0])
            log_keys.add(verifier.public_key)
            policy.logs.append(LogEntry(verifier, args[1] if len(args) == 2 else None))
        elif keyword == "witness":
            if len(args) not in (2, 3):
                raise _err(n, "want 'witness <name> <vkey> [<url>]'", line)
            name = args[0]
            _new_name(policy, name, n)
            verifier = _key(CosignatureVerifier, args[1], n)
            if verifier.public_key in witness_keys:
                raise _err(n, "duplicate witness key", args[1])
            witness_keys.add(verifier.public_key)
            url = args[2] if len(args) == 3 else None
            policy.witnesses[name] = WitnessEntry(name, verifier, url)
        elif keyword == "group":
            if len(args) < 3:
                raise _err(n, "want 'group <name> all|any|<k> <member>...'", line)
            name, k_text, *members = args
            _new_name(policy, name, n)
            seen: set[str] = set()
            for member in members:
                if member == NONE:
                    raise _err(n, "'none' cannot be a group member")
                if member not in policy.witnesses and member not in policy.groups:
                    raise _err(n, "member not defined on an earlier line", member)
                if member in seen:
                    raise _err(n, "member listed twice", member)
                seen.add(member)
            if k_text == "all":
                k = len(members)
            elif k_text == "any":
                k = 1
            elif _K.fullmatch(k_text) and int(k_text) <= len(members):
                k = int(k_text)
            else:
                raise _err(n, f"threshold must be all, any or 1..{len(members)}", k_text)
            policy.groups[name] = Group(name, k, tuple(members))
        elif keyword == "quorum":
            if len(args) != 1:
                raise _err(n, "want 'quorum <name>'", line)
            if quorum_line is not None:
                raise _err(n, f"second quorum line (first on line {quorum_line})")
            name = args[0]
            if name != NONE and name not in policy.witnesses and name not in policy.groups:
                raise _err(n, "quorum names nothing defined on an earlier line", name)
            policy.quorum, quorum_line = name, n
        else:
            raise _err(n, "unknown keyword", keyword)
    if quorum_line is None:
        raise FormatError(kind="policy", reason="no quorum line")
    return policy


def _new_name(policy: Policy, name: str, line: int) -> None:
    if name == NONE:
        raise _err(line, "'none' is reserved")
    if name in policy.witnesses or name in policy.groups:
        raise _err(line, "name already defined", name)


def _key(cls: type[Verifier], text: str, line: int) -> Verifier:
    try:
        return cls.from_text(text)
    except FormatError as exc:
        raise _err(line, f"bad {exc.kind}: {exc.reason}", text) from None


__all__ = [
    "Group",
    "LogEntry",
    "Policy",
    "QuorumError",
    "WitnessEntry",
    "parse_policy",
]
