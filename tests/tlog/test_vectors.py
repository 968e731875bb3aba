"""transparency-dev/merkle's inclusion and consistency probes: one case per file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from commonground.tlog.errors import ProofInputError, VerificationError
from commonground.tlog.proof import verify_consistency, verify_inclusion
from tests.tlog.conftest import VECTORS, b64


def _cases(kind: str) -> list[Path]:
    files = sorted((VECTORS / kind).rglob("*.json"))  # rglob: names hold [ ] and @
    assert files, f"no vectors under {VECTORS / kind}"
    return files


def _id(path: Path) -> str:
    return str(path.relative_to(VECTORS))


def _proof(value: list[str] | None) -> list[bytes]:
    return [b64(h) for h in value or []]


@pytest.mark.parametrize("path", _cases("inclusion"), ids=_id)
def test_inclusion_vector(path: Path) -> None:
    v = json.loads(path.read_text())
    args = (b64(v["leafHash"]), v["leafIdx"], v["treeSize"], _proof(v["proof"]), b64(v["root"]))
    if v["wantErr"]:
        with pytest.raises(VerificationError):
            verify_inclusion(*args)
    else:
        verify_inclusion(*args)


@pytest.mark.parametrize("path", _cases("consistency"), ids=_id)
def test_consistency_vector(path: Path) -> None:
    v = json.loads(path.read_text())
    args = (v["size1"], v["size2"], _proof(v["proof"]), b64(v["root1"]), b64(v["root2"]))
    if v["wantErr"]:
        with pytest.raises(VerificationError):
            verify_consistency(*args)
    else:
        verify_consistency(*args)


def test_vector_counts_match_provenance() -> None:
    for kind in ("inclusion", "consistency"):
        files = _cases(kind)
        valid = [f for f in files if not json.loads(f.read_text())["wantErr"]]
        assert (len(files), len(valid)) == (98, 6)


def test_tree_size_div_2_chains_to_its_root_but_is_rejected_by_the_index_check() -> None:
    v = json.loads((VECTORS / "inclusion/2/treeSize-div-@2.json").read_text())
    with pytest.raises(ProofInputError) as err:
        verify_inclusion(
            b64(v["leafHash"]), v["leafIdx"], v["treeSize"], _proof(v["proof"]), b64(v["root"])
        )
    assert err.value.field == "index"


def test_uint64_wrapped_leaf_index_is_rejected_as_input() -> None:
    files = [f for f in _cases("inclusion") if json.loads(f.read_text())["leafIdx"] == 2**64 - 1]
    assert files
    for f in files:
        v = json.loads(f.read_text())
        with pytest.raises(ProofInputError):
            verify_inclusion(
                b64(v["leafHash"]), v["leafIdx"], v["treeSize"], _proof(v["proof"]), b64(v["root"])
            )


@pytest.mark.parametrize(
    "name",
    [
        "size1-is-zero-and-does-not-equal-size2",
        "size1-is-zero-and-size2-is-not-zero",
        "sizes-are-equal-zero-and-proof-is-empty",
    ],
)
def test_size1_zero_vectors_are_rejected_unless_the_witness_rule_is_asked_for(name: str) -> None:
    matches = [f for f in (VECTORS / "consistency/additional").iterdir() if f.stem.startswith(name)]
    assert matches
    v = json.loads(matches[0].read_text())
    args = (v["size1"], v["size2"], _proof(v["proof"]), b64(v["root1"]), b64(v["root2"]))
    with pytest.raises(ProofInputError):
        verify_consistency(*args)
