"""`commonground analyse …`: representation and consensus analyses from the command line."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="analyse",
    help="Analyses over the dataset: who takes part (representation) and where actors agree (consensus).",
    no_args_is_help=True,
)
from commonground.cli import consensus as _consensus  # noqa: E402,F401
from commonground.cli import representation as _representation  # noqa: E402,F401
