"""`commonground analyse …`: representation and consensus analyses from the command line."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="analyse",
    help="Analyses over the dataset: who takes part (representation) and where actors agree (consensus).",
    no_args_is_help=True,
)
