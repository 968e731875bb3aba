"""C2SP tlog-cosignature v1.0.1: message, 72-byte timestamped signature, key type 0x04."""

from __future__ import annotations

import pytest

from commonground.tlog.checkpoint import Checkpoint, sign_checkpoint
from commonground.tlog.cosignature import (
    COSIGNATURE_V1,
    CosignatureVerifier,
    Cosigner,
    TimestampedSignature,
    cosigned_message,
)
from commonground.tlog.errors import FormatError, SignatureError
from commonground.tlog.note import Note, Signer, Verifier, key_id, open_note, sign_note
from commonground.tlog.tree import MemoryTree


def test_the_spec_example_decodes_and_its_message_is_rebuilt(spec_examples) -> None:
    ex = spec_examples["cosigned_checkpoint_example"]
    note = Note.from_text(ex["signed_note"])
    witness = next(s for s in note.unverified if s.name == "witness.example.com/w1")
    assert f"{witness.key_id:08x}" == "8d66cf3f"
    ts = TimestampedSignature.from_bytes(witness.signature)
    assert ts.timestamp == 1679315147
    assert len(ts.signature) == 64
    message = cosigned_message(note.text, ts.timestamp)
    assert message.decode() == ex["cosignature_v1_signed_message_for_time_1679315147"]


def test_cosign_and_verify_round_trip_with_a_fixed_clock() -> None:
    witness = Cosigner(name="witness.example/w1", seed=bytes(range(32)), clock=lambda: 1679315147.9)
    assert witness.key_id == key_id("witness.example/w1", COSIGNATURE_V1, witness.public_key)
    body = Checkpoint(
        "example.com/log", 3, MemoryTree.from_entries([b"a", b"b", b"c"]).root()
    ).to_text()
    line = witness.cosign(body)
    raw = line.signature
    assert len(raw) == 72 and int.from_bytes(raw[:8], "big") == 1679315147
    assert witness.verifier().verify_cosignature(body, line) == 1679315147


def test_cosigner_key_text_uses_type_0x04_and_round_trips() -> None:
    witness = Cosigner(name="witness.example/w1", seed=b"\x07" * 32)
    vkey = witness.verifier().to_text()
    assert CosignatureVerifier.from_text(vkey) == witness.verifier()
    assert Cosigner.from_text(witness.to_text()).key_id == witness.key_id
    with pytest.raises(FormatError, match="key type"):
        Verifier.from_text(vkey)  # a cosigner key is not a plain Ed25519 note key
    plain = Signer(name="witness.example/w1", seed=b"\x07" * 32)
    assert plain.key_id != witness.key_id  # same key, distinct ids per type


def test_log_signature_and_cosignatures_coexist_on_one_note() -> None:
    log = Signer.generate("example.com/log")
    w1 = Cosigner.generate("w1.example")
    w2 = Cosigner.generate("w2.example")
    body = Checkpoint("example.com/log", 0, bytes(32)).to_text()
    signed = sign_note(Note.from_text(sign_checkpoint(Checkpoint.from_text(body), [log])), [w1, w2])
    note = open_note(signed, [log.verifier(), w1.verifier(), w2.verifier()])
    assert [s.name for s in note.signatures] == ["example.com/log", "w1.example", "w2.example"]
    only_log = open_note(signed, [log.verifier()])
    assert [s.name for s in only_log.unverified] == ["w1.example", "w2.example"]


def test_tampering_with_a_cosignature_is_caught() -> None:
    witness = Cosigner(name="w.example", seed=b"\x01" * 32, clock=lambda: 1000)
    body = "example.com/log\n5\n" + "A" * 43 + "=\n"
    line = witness.cosign(body)
    verifier = witness.verifier()
    raw = bytearray(line.signature)
    for pos in (0, 7, 8, 71):  # timestamp bytes and signature bytes
        bad = bytearray(raw)
        bad[pos] ^= 1
        tampered = type(line).create(line.name, line.key_id, bytes(bad))
        with pytest.raises((SignatureError, FormatError)):
            verifier.verify_cosignature(body, tampered)
    with pytest.raises(SignatureError):
        verifier.verify_cosignature(body.replace("\n5\n", "\n6\n"), line)
    other = Cosigner.generate("w.example")
    with pytest.raises(SignatureError, match="not this witness"):
        other.verifier().verify_cosignature(body, line)


def test_bad_timestamps_and_lengths_are_rejected() -> None:
    with pytest.raises(FormatError):
        TimestampedSignature.from_bytes(b"\x00" * 71)
    with pytest.raises(FormatError):
        TimestampedSignature.from_bytes(b"\x80" + b"\x00" * 71)
    with pytest.raises(FormatError):
        cosigned_message("x\n", 2**63)
    verifier = Cosigner.generate("w").verifier()
    assert verifier.verify(b"x\n", b"\x00" * 72) is False
