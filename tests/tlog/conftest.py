"""Fixtures for the transparency-log tests: vector files under tests/vectors/."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

VECTORS = Path(__file__).resolve().parent.parent / "vectors"


def load_vector(name: str) -> Any:
    """A JSON file under tests/vectors/ (like sigstore's ``asset(name)``)."""
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def b64(text: str) -> bytes:
    return base64.b64decode(text)


@pytest.fixture
def vector() -> Any:
    return load_vector


@pytest.fixture(scope="session")
def merkle_constants() -> dict[str, Any]:
    return load_vector("merkle-tree/leaves.json")


@pytest.fixture(scope="session")
def note_vectors() -> dict[str, Any]:
    return load_vector("note/golang-mod-note.json")


@pytest.fixture(scope="session")
def spec_examples() -> dict[str, Any]:
    return load_vector("note/c2sp-spec-examples.json")
