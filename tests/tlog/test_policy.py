"""C2SP tlog-policy: parsing (errors name the line), nested groups, quorum evaluation."""

from __future__ import annotations

import pytest

from commonground.tlog.checkpoint import Checkpoint, sign_checkpoint
from commonground.tlog.cosignature import Cosigner
from commonground.tlog.errors import FormatError, SignatureError
from commonground.tlog.hashing import leaf_hash
from commonground.tlog.note import Note, Signature, Signer, b64decode
from commonground.tlog.policy import NONE, QuorumError, parse_policy

LOG = Signer.generate("example.com/log")
W = {
    name: Cosigner.generate(f"{name.lower()}.witness.example")
    for name in ("DE1", "DE2", "DE3", "FR1", "FR2", "FR3", "US1")
}


def vk(name: str) -> str:
    return W[name].verifier().to_text()


COUNTRIES = f"""
# two witnesses from each of two countries
log {LOG.verifier().to_text()} https://log.example/

witness DE1 {vk("DE1")}
witness DE2 {vk("DE2")} https://de2.example/
	witness DE3   {vk("DE3")}
group germany 2 DE1 DE2 DE3

witness FR1 {vk("FR1")}
witness FR2 {vk("FR2")}
witness FR3 {vk("FR3")}
group france 2 FR1 FR2 FR3

group both all germany france
quorum both
"""


def test_two_witnesses_from_each_of_two_countries():
    policy = parse_policy(COUNTRIES)
    assert policy.quorum == "both"
    assert policy.groups["germany"].threshold == 2
    assert policy.groups["both"].members == ("germany", "france")
    assert policy.witnesses["DE2"].url == "https://de2.example/"
    assert policy.logs[0].url == "https://log.example/"
    assert policy.satisfied({"DE1", "DE3", "FR2", "FR3"})
    assert policy.satisfied({"DE1", "DE2", "DE3", "FR1", "FR2", "FR3"})
    assert not policy.satisfied({"DE1", "DE2", "DE3", "FR1"})  # one country short
    assert not policy.satisfied({"DE1", "FR1", "FR2", "FR3"})
    assert not policy.satisfied({"germany", "france"})  # group names are not cosigners
    assert not policy.satisfied(set())


def test_any_and_k_and_single_witness_and_none():
    text = "\n".join(
        [
            f"witness A {vk('DE1')}",
            f"witness B {vk('FR1')}",
            f"witness C {vk('US1')}",
            "group one any A B C",
            "group two 2 A B C",
            "group eu any A B",
            "group mixed all eu C",
            "quorum mixed",
        ]
    )
    p = parse_policy(text)
    assert p.satisfied({"B", "C"}) and not p.satisfied({"A", "B"})
    assert p.groups["one"].threshold == 1 and p.groups["two"].threshold == 2
    assert parse_policy(f"witness A {vk('DE1')}\nquorum A\n").satisfied({"A"})
    assert not parse_policy(f"witness A {vk('DE1')}\nquorum A\n").satisfied({"B"})
    none = parse_policy("quorum none\n")
    assert none.quorum == NONE and none.satisfied(set()) and none.logs == []


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("quorum X\n", 1, "earlier line"),
        (f"witness A {vk('DE1')}\nwitness A {vk('FR1')}\nquorum A", 2, "already defined"),
        (f"witness A {vk('DE1')}\nwitness B {vk('DE1')}\nquorum A", 2, "duplicate witness key"),
        (
            f"log {LOG.verifier().to_text()}\nlog {LOG.verifier().to_text()}\nquorum none",
            2,
            "duplicate log",
        ),
        (f"witness A {vk('DE1')}\ngroup G 2 A\nquorum G", 2, "threshold"),
        (f"witness A {vk('DE1')}\ngroup G 0 A\nquorum G", 2, "threshold"),
        (f"witness A {vk('DE1')}\ngroup G 01 A\nquorum G", 2, "threshold"),
        (f"witness A {vk('DE1')}\ngroup G any A A\nquorum G", 2, "twice"),
        (f"witness A {vk('DE1')}\ngroup G any A B\nquorum G", 2, "earlier line"),
        (f"witness A {vk('DE1')}\ngroup G any none\nquorum G", 2, "'none'"),
        (f"witness A {vk('DE1')}\ngroup G any\nquorum G", 2, "want"),
        (f"group G any G\nwitness A {vk('DE1')}\nquorum A", 1, "earlier line"),  # no cycles
        (f"witness none {vk('DE1')}\nquorum none", 1, "reserved"),
        ("quorum none\nquorum none\n", 2, "second quorum"),
        ("\n\nfrobnicate x\nquorum none", 3, "unknown keyword"),
        (f"witness A {LOG.verifier().to_text()}\nquorum A", 1, "key type"),  # 0x01 is a log key
        (f"log {vk('DE1')}\nquorum none", 1, "key type"),  # 0x04 is a witness key
        ("log example.com+00000000+AAAA\nquorum none", 1, "bad verifier key"),
        ("witness A\nquorum none", 1, "want"),
        ("quorum none\n# ok\nlog\x0bx\n", 3, "control character"),
    ],
)
def test_errors_name_the_line(text, line, reason):
    with pytest.raises(FormatError) as caught:
        parse_policy(text)
    assert caught.value.line == line, caught.value
    assert reason in str(caught.value)


def test_a_policy_needs_one_quorum_line():
    with pytest.raises(FormatError, match="no quorum"):
        parse_policy(f"witness A {vk('DE1')}\n")


def test_comments_blank_lines_tabs_and_bytes_are_accepted():
    p = parse_policy(f"  # comment\n\t\n\twitness\tA\t{vk('DE1')}  \n quorum A \n".encode())
    assert list(p.witnesses) == ["A"]


def _cosigned(names: list[str]) -> str:
    cp = Checkpoint("example.com/log", 5, leaf_hash(b"x"))
    text = sign_checkpoint(cp, [LOG])
    return text + "".join(W[n].cosign(cp.to_text()).to_line() for n in names)


def test_verify_checkpoint_checks_the_log_then_the_quorum():
    policy = parse_policy(COUNTRIES)
    cp, names = policy.verify_checkpoint(_cosigned(["DE1", "DE2", "FR1", "FR3", "US1"]))
    assert cp.size == 5 and names == {"DE1", "DE2", "FR1", "FR3"}  # US1 is not in the policy
    with pytest.raises(QuorumError) as caught:
        policy.verify_checkpoint(_cosigned(["DE1", "DE2", "FR1"]))
    assert caught.value.cosigners == ["DE1", "DE2", "FR1"]


def test_a_bad_cosignature_by_a_known_witness_is_an_error():
    policy = parse_policy(COUNTRIES)
    note = Note.from_text(_cosigned(["DE1", "DE2", "FR1", "FR2"]))
    sig = note.unverified[-1]
    raw = bytearray(b64decode(sig.base64))
    raw[-1] ^= 1
    forged = Signature.create(sig.name, sig.key_id, bytes(raw[4:]))
    text = Note(note.text, unverified=(*note.unverified[:-1], forged)).to_text()
    with pytest.raises(SignatureError):
        policy.verify_checkpoint(text)
