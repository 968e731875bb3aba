"""The README documents every CLI command and setting; the layering rule holds."""

from __future__ import annotations

import re
from pathlib import Path

from commonground.cli import app
from commonground.config import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_commands():
    block = README.split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["./run.sh", "./test.sh"]


def test_readme_lists_every_cli_command():
    listed = set(re.findall(r"^commonground (\w+)", README, flags=re.MULTILINE))
    commands = {c.name or c.callback.__name__ for c in app.registered_commands}
    assert commands == listed


def test_readme_names_the_database_setting():
    for name in Settings.model_fields:
        if name == "database_url":
            assert f"COMMONGROUND_{name.upper()}" in README


def test_raw_sql_and_sqlite3_stay_inside_the_store_package():
    offenders = []
    for path in (ROOT / "src" / "commonground").rglob("*.py"):
        rel = path.relative_to(ROOT / "src" / "commonground")
        if rel.parts[0] in ("store", "search"):
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"^\s*import sqlite3|exec_driver_sql|\btext\(\s*f?[\"']", text, re.MULTILINE):
            offenders.append(str(rel))
    assert offenders == []
