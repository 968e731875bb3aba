"""C2SP signed-note / golang sumdb/note: keys, sign, open, the known vectors, tampering."""

from __future__ import annotations

import pytest

from commonground.tlog.errors import (
    FormatError,
    KeyLookupError,
    NoVerifiedSignatureError,
    SignatureError,
    TlogError,
)
from commonground.tlog.note import (
    Note,
    Signature,
    Signer,
    Verifier,
    VerifierList,
    key_id,
    open_note,
    sign_note,
)


@pytest.fixture(scope="module")
def keys(note_vectors) -> dict[str, tuple[Signer | None, Verifier]]:
    out = {}
    for name, k in note_vectors["keys"].items():
        signer = Signer.from_text(k["signer_key"]) if "signer_key" in k else None
        out[name] = (signer, Verifier.from_text(k["verifier_key"]))
    return out


def test_key_texts_round_trip_and_ids_match(note_vectors, keys) -> None:
    for name, k in note_vectors["keys"].items():
        signer, verifier = keys[name]
        assert verifier.to_text() == k["verifier_key"]
        assert f"{verifier.key_id:08x}" == k["key_id"]
        assert verifier.public_key.hex() == k["public_key_hex"]
        assert key_id(name, 1, verifier.public_key) == verifier.key_id
        assert signer.to_text() == k["signer_key"]
        assert signer.verifier() == verifier


def test_signing_reproduces_the_golang_notes(note_vectors, keys) -> None:
    notes = note_vectors["notes"]
    peter, enoch = keys["PeterNeumann"][0], keys["EnochRoot"][0]
    assert sign_note(notes["text"], [peter]) == notes["signed_by_peter"]
    assert sign_note(notes["text"], [peter, enoch]) == notes["signed_by_peter_and_enoch"]
    # adding a signature to a signed note keeps the first
    opened = open_note(notes["signed_by_peter"], [keys["PeterNeumann"][1]])
    assert sign_note(opened, [enoch]) == notes["signed_by_peter_and_enoch"]


def test_open_expectations(note_vectors, keys) -> None:
    for case in note_vectors["open_expectations"]:
        verifiers = [keys[n][1] for n in case["verifiers"]]
        if case["result"] == "ok":
            note = open_note(case["note"], verifiers)
            assert [s.name for s in note.signatures] == case["verified"], case["desc"]
            if "text" in case:
                assert note.text == case["text"]
            if "unverified_signature_base64" in case:
                assert [s.base64 for s in note.unverified] == case["unverified_signature_base64"]
            elif "unverified" in case:
                assert [s.name for s in note.unverified] == case["unverified"]
        else:
            with pytest.raises(TlogError) as err:
                open_note(case["note"], verifiers)
            assert case["error"] in str(err.value), case["desc"]
            if case["error"].startswith("note has no"):
                assert isinstance(err.value, NoVerifiedSignatureError)
                assert [s.name for s in err.value.note.unverified] == case["unverified"]
            if "same_with_verifiers" in case:
                with pytest.raises(FormatError):
                    open_note(case["note"], [])


def test_malformed_notes_are_rejected(note_vectors, keys) -> None:
    verifiers = [keys["PeterNeumann"][1]]
    for case in note_vectors["malformed_notes"]["cases"]:
        note = bytes.fromhex(case["note_hex"]) if "note_hex" in case else case["note"]
        with pytest.raises(FormatError, match="malformed note"):
            open_note(note, verifiers)


def test_the_c2sp_example_verifies(spec_examples) -> None:
    ex = spec_examples["signed_note_example"]
    verifier = Verifier.from_text(ex["verifier_key"])
    assert f"{verifier.key_id:08x}" == ex["key_id"]
    note = open_note(ex["signed_note"], [verifier])
    assert note.text == ex["text"]


def test_text_is_split_at_the_last_blank_line(spec_examples) -> None:
    ex = spec_examples["signed_note_intro_example"]
    note = Note.from_text(ex["signed_note"])
    assert note.text == ex["expected_text"]
    assert [s.name for s in note.unverified] == ["quasimodo.example/salvatore"]
    assert note.to_text() == ex["signed_note"]


def test_from_text_to_text_round_trips(note_vectors, spec_examples) -> None:
    for text in (
        note_vectors["notes"]["signed_by_peter"],
        note_vectors["notes"]["signed_by_peter_and_enoch"],
        spec_examples["signed_note_example"]["signed_note"],
        spec_examples["cosigned_checkpoint_example"]["signed_note"],
    ):
        assert Note.from_text(text).to_text() == text
        assert Note.from_text(text.encode()).to_text() == text


def test_bad_verifier_keys_are_rejected(note_vectors) -> None:
    for case in note_vectors["bad_verifier_keys"]:
        if "vkey" in case:
            with pytest.raises(FormatError):
                Verifier.from_text(case["vkey"])
    vkey = note_vectors["keys"]["PeterNeumann"]["verifier_key"]
    _every_substring_and_mutation_fails(vkey, Verifier.from_text)


def test_bad_signer_keys_are_rejected(note_vectors) -> None:
    skey = note_vectors["keys"]["PeterNeumann"]["signer_key"]
    _every_substring_and_mutation_fails(skey, Signer.from_text)


def _every_substring_and_mutation_fails(text: str, parse) -> None:
    for i in range(len(text)):
        for j in range(i, len(text) + 1):
            if (i, j) != (0, len(text)):
                with pytest.raises(FormatError):
                    parse(text[i:j])
        mutated = text[:i] + chr(ord(text[i]) + 1) + text[i + 1 :]
        with pytest.raises(FormatError):
            parse(mutated)


def test_verifier_list_lookup_errors(note_vectors, keys) -> None:
    peter, enoch = keys["PeterNeumann"][1], keys["EnochRoot"][1]
    with pytest.raises(KeyLookupError, match="unknown key PeterNeumann\\+c74f20a4"):
        VerifierList([peter]).lookup("PeterNeumann", 0xC74F20A4)
    with pytest.raises(KeyLookupError, match="unknown key PeterNeuman\\+c74f20a3"):
        VerifierList([peter]).lookup("PeterNeuman", 0xC74F20A3)
    with pytest.raises(KeyLookupError, match="ambiguous key EnochRoot\\+af0cfe78"):
        VerifierList([peter, enoch, enoch]).lookup("EnochRoot", 0xAF0CFE78)


def test_a_verifier_lookup_that_returns_another_key_is_an_error(note_vectors, keys) -> None:
    peter = keys["PeterNeumann"][1]

    class AlwaysPeter(VerifierList):
        def lookup(self, name: str, key_id: int):
            return peter

    signed = note_vectors["notes"]["signed_by_peter"]
    for tampered in (
        signed.replace("PeterNeumann", "CarmenSandiego"),
        signed.replace("x08g", "xxxx"),
    ):
        with pytest.raises(SignatureError):
            open_note(tampered, AlwaysPeter())


def test_sign_errors(note_vectors, keys) -> None:
    peter = keys["PeterNeumann"][0]
    with pytest.raises(FormatError):
        sign_note("abc", [peter])
    text = note_vectors["notes"]["text"]
    with pytest.raises(FormatError):
        sign_note(Note(text, unverified=(Signature("a+b", 1, "AAAAAQE="),)), [peter])
    with pytest.raises(FormatError):
        sign_note(Note(text, unverified=(Signature("PeterNeumann", peter.key_id, "BADHASH="),)), [])
    replaced = Note(text, unverified=(Signature("PeterNeumann", peter.key_id, "BADSIGN="),))
    assert sign_note(replaced, [peter]) == note_vectors["notes"]["signed_by_peter"]


def test_at_least_sixteen_signatures_are_accepted_and_the_cap_is_enforced() -> None:
    signers = [Signer.generate(f"example.com/k{i}") for i in range(16)]
    signed = sign_note("sixteen\n", signers)
    note = open_note(signed, [s.verifier() for s in signers])
    assert len(note.signatures) == 16
    with pytest.raises(FormatError, match="more than 15"):
        open_note(signed, [signers[0].verifier()], max_signatures=15)


def test_flipping_a_bit_in_a_signature_is_caught(keys, note_vectors) -> None:
    peter_signer, peter = keys["PeterNeumann"]
    signed = note_vectors["notes"]["signed_by_peter"]
    sig = Note.from_text(signed).unverified[0]
    raw = bytearray(sig.signature)
    for bit in (0, 200, 511):
        bad = bytearray(raw)
        bad[bit // 8] ^= 1 << (bit % 8)
        tampered = Note(
            signed.split("\n\n")[0] + "\n",
            unverified=(Signature.create(sig.name, sig.key_id, bytes(bad)),),
        )
        with pytest.raises(SignatureError) as err:
            open_note(tampered.to_text(), [peter])
        assert (err.value.name, err.value.key_id) == ("PeterNeumann", peter.key_id)


def test_changing_the_text_is_caught(keys, note_vectors) -> None:
    signed = note_vectors["notes"]["signed_by_peter"]
    with pytest.raises(SignatureError):
        open_note(signed.replace("answer", "Answer"), [keys["PeterNeumann"][1]])


def test_an_unknown_key_sharing_a_name_or_an_id_is_ignored(keys, note_vectors) -> None:
    peter_signer, peter = keys["PeterNeumann"]
    impostor = Signer.generate("PeterNeumann")
    signed = sign_note(note_vectors["notes"]["text"], [impostor, peter_signer])
    note = open_note(signed, [peter])
    assert [s.key_id for s in note.signatures] == [peter.key_id]
    assert [s.key_id for s in note.unverified] == [impostor.key_id]
