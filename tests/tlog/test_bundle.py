"""C2SP tlog-proof bundles: build, parse, verify offline; every tampering is caught."""

from __future__ import annotations

import base64

import pytest

from commonground.tlog import storage
from commonground.tlog.bundle import BundleError, export_bundle, parse_bundle, verify_bundle
from commonground.tlog.envelope import (
    Envelope,
    commitment,
    new_salt,
    open_commitment,
)
from commonground.tlog.errors import FormatError, VerificationError
from commonground.tlog.note import Signer

ORIGIN = "test.commonground.org/log"
RECORDS = [{"id": f"rec-{i}", "title": f"Record {i}", "year": 2020 + i} for i in range(7)]


def envelope(rec) -> bytes:
    return Envelope.for_record("instrument/v1", rec["id"], rec, "submitter-1", b"sig").to_bytes()


@pytest.fixture
def signer():
    return Signer.generate(ORIGIN)


@pytest.fixture
def bundle(store, signer):
    with store.transaction() as session:
        storage.append(session, ORIGIN, [envelope(r) for r in RECORDS])
        storage.sign_checkpoint(session, ORIGIN, signer)
    with store.sessions() as session:
        return export_bundle(session, ORIGIN, 5)


def test_round_trip(bundle, signer):
    assert bundle.startswith("c2sp.org/tlog-proof@v1\nextra ")
    assert "\nindex 5\n" in bundle
    assert parse_bundle(bundle).to_text() == bundle
    got = verify_bundle(bundle, [signer.verifier()], origin=ORIGIN, record=RECORDS[5])
    assert got.index == 5 and got.checkpoint.size == 7
    assert got.envelope is not None and got.envelope.record_id == "rec-5"


def _flip_b64_line(text: str, prefix_or_index) -> str:
    lines = text.split("\n")
    i = prefix_or_index
    raw = bytearray(base64.b64decode(lines[i].split(" ")[-1]))
    raw[0] ^= 0x01
    head = lines[i].rsplit(" ", 1)[0] + " " if " " in lines[i] else ""
    lines[i] = head + base64.b64encode(bytes(raw)).decode()
    return "\n".join(lines)


def test_flipped_bit_in_a_proof_hash_fails(bundle, signer):
    bad = _flip_b64_line(bundle, 3)  # header, extra, index, first hash
    with pytest.raises(BundleError) as info:
        verify_bundle(bad, [signer.verifier()])
    assert info.value.step == "inclusion" and info.value.evidence["index"] == 5


def test_flipped_bit_in_the_signature_fails(bundle, signer):
    bad = _flip_b64_line(bundle, len(bundle.split("\n")) - 2)  # the last line is empty
    with pytest.raises(BundleError) as info:
        verify_bundle(bad, [signer.verifier()])
    assert info.value.step == "checkpoint signature"


def test_wrong_key_fails(bundle):
    with pytest.raises(BundleError, match="checkpoint signature"):
        verify_bundle(bundle, [Signer.generate(ORIGIN).verifier()])


@pytest.mark.parametrize("index", [4, 6, 7, 50])
def test_another_index_fails(bundle, signer, index):
    with pytest.raises(BundleError) as info:
        verify_bundle(bundle.replace("\nindex 5\n", f"\nindex {index}\n"), [signer.verifier()])
    assert info.value.step == "inclusion"


def test_flipped_bit_in_the_entry_fails(bundle, signer):
    with pytest.raises(BundleError, match="inclusion"):
        verify_bundle(_flip_b64_line(bundle, 1), [signer.verifier()])


def test_a_changed_record_fails(bundle, signer):
    changed = dict(RECORDS[5], year=1999)
    with pytest.raises(BundleError) as info:
        verify_bundle(bundle, [signer.verifier()], record=changed)
    assert info.value.step == "record"
    with pytest.raises(BundleError, match="record"):
        verify_bundle(bundle, [signer.verifier()], record=RECORDS[4])


def test_origin_and_malformed(bundle, signer):
    with pytest.raises(BundleError, match="origin"):
        verify_bundle(bundle, [signer.verifier()], origin="other.example/log")
    for bad in (
        bundle.replace("c2sp.org/tlog-proof@v1", "c2sp.org/tlog-proof@v2"),
        bundle.replace("\nindex 5\n", "\nindex 05\n"),
        bundle.replace("\n\n", "\n", 1),
    ):
        with pytest.raises(BundleError, match="parse|signature"):
            verify_bundle(bad, [signer.verifier()])


def test_envelopes_and_commitments():
    env = Envelope.for_record("vulnerability/v1", "vuln-1", {"a": 1, "b": "é"}, "k1", b"\x01\x02")
    raw = env.to_bytes()
    assert Envelope.from_bytes(raw) == env
    env.check_record({"b": "é", "a": 1})
    with pytest.raises(VerificationError):
        env.check_record({"a": 2, "b": "é"})
    with pytest.raises(FormatError):
        Envelope.from_bytes(raw.replace(b"signature AQI=", b"signature AQI"))
    salt = new_salt()
    entry = commitment(raw, salt)
    assert b"vuln-1" not in entry
    assert open_commitment(entry, raw, salt) == env
    with pytest.raises(VerificationError):
        open_commitment(entry, raw, new_salt())
