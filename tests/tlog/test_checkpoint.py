"""C2SP tlog-checkpoint: parse, write, sign and open; malformed bodies raise FormatError."""

from __future__ import annotations

import pytest

from commonground.tlog.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from commonground.tlog.errors import FormatError, SignatureError
from commonground.tlog.hashing import EMPTY_ROOT
from commonground.tlog.note import Note, Signer
from commonground.tlog.tree import MemoryTree
from tests.tlog.conftest import b64, load_vector

ROOT = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
BODY = f"example.com/behind-the-sofa\n20852163\n{ROOT}\n"


def test_the_spec_example_parses(spec_examples) -> None:
    ex = spec_examples["checkpoint_example"]
    note = Note.from_text(ex["signed_note"])
    cp = Checkpoint.from_text(note.text)
    assert (cp.origin, cp.size, cp.root_hash) == (
        ex["origin"],
        ex["tree_size"],
        b64(ex["root_hash_b64"]),
    )
    assert cp.to_text() == note.text


@pytest.mark.parametrize(
    "text",
    [BODY, f"o\n0\n{ROOT}\n", f"o\n1\n{ROOT}\next one\next two\n", f"o\n{2**64 - 1}\n{ROOT}\n"],
)
def test_from_text_to_text_round_trips(text: str) -> None:
    assert Checkpoint.from_text(text).to_text() == text
    assert Checkpoint.from_text(text.encode()).to_text() == text


MALFORMED = {
    "no_final_newline": BODY[:-1],
    "two_lines": "example.com/log\n5\n",
    "empty_origin": f"\n5\n{ROOT}\n",
    "leading_zero": f"o\n05\n{ROOT}\n",
    "plus_sign": f"o\n+5\n{ROOT}\n",
    "negative": f"o\n-1\n{ROOT}\n",
    "hex_size": f"o\n0x5\n{ROOT}\n",
    "spaces_in_size": f"o\n 5\n{ROOT}\n",
    "size_over_uint64": f"o\n{2**64}\n{ROOT}\n",
    "unicode_digits": f"o\n\u0665\n{ROOT}\n",
    "root_not_base64": "o\n5\nnot base64!\n",
    "root_31_bytes": "o\n5\n" + "A" * 40 + "AA==\n",
    "root_non_canonical": f"o\n5\n{ROOT[:-2]}3=\n",
    "root_unpadded": f"o\n5\n{ROOT[:-1]}\n",
    "empty_extension": f"o\n5\n{ROOT}\n\n",
    "control_character": f"o\x01\n5\n{ROOT}\n",
    "carriage_return": f"o\r\n5\n{ROOT}\n",
    "bad_utf8": b"o\xff\n5\n" + ROOT.encode() + b"\n",
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_checkpoint_is_rejected_with_format_error(name: str) -> None:
    with pytest.raises(FormatError) as err:
        Checkpoint.from_text(MALFORMED[name])
    assert err.value.kind == "checkpoint"
    assert "malformed checkpoint" in str(err.value)


def test_golang_sumdb_bad_tree_heads_are_rejected_as_checkpoints() -> None:
    bad = load_vector("note/golang-mod-tlog.json")["sumdb_tree_note"]["parse_bad"]
    for text in bad[1:]:  # the first differs only in its origin line, which is free here
        with pytest.raises(FormatError):
            Checkpoint.from_text(text)


def test_constructor_validates_fields() -> None:
    with pytest.raises(FormatError):
        Checkpoint("o", -1, EMPTY_ROOT)
    with pytest.raises(FormatError):
        Checkpoint("o", 1, b"short")
    with pytest.raises(FormatError):
        Checkpoint("o\nx", 1, EMPTY_ROOT)


def test_sign_and_open_a_checkpoint_of_a_real_tree() -> None:
    tree = MemoryTree.from_entries([b"a", b"b", b"c"])
    log = Signer.generate("example.com/log")
    cp = Checkpoint("example.com/log", tree.size, tree.root())
    signed = sign_checkpoint(cp, [log])
    opened, note = open_checkpoint(signed, [log.verifier()])
    assert opened == cp
    assert note.signatures[0].name == "example.com/log"
    assert Checkpoint("o", 0, EMPTY_ROOT).is_empty_tree()


def test_changing_the_size_or_root_of_a_signed_checkpoint_is_caught() -> None:
    log = Signer.generate("example.com/log")
    tree = MemoryTree.from_entries([b"%d" % i for i in range(10)])
    signed = sign_checkpoint(Checkpoint("example.com/log", 10, tree.root()), [log])
    for tampered in (
        signed.replace("\n10\n", "\n11\n", 1),
        signed.replace("\n10\n", "\n9\n", 1),
        signed.replace(
            Checkpoint("x", 1, tree.root()).to_text().split("\n")[2],
            Checkpoint("x", 1, tree.root(9)).to_text().split("\n")[2],
        ),
    ):
        assert tampered != signed
        with pytest.raises(SignatureError):
            open_checkpoint(tampered, [log.verifier()])
