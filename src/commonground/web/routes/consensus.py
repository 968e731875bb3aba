"""Pages for the consensus analyses (see commonground.analysis.consensus)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
