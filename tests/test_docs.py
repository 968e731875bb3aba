"""The README documents every CLI command and setting; the layering rule holds."""

from __future__ import annotations

import ast
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
    commands |= {g.name for g in app.registered_groups}
    assert commands == listed


def test_readme_names_the_database_setting():
    for name in Settings.model_fields:
        if name == "database_url":
            assert f"COMMONGROUND_{name.upper()}" in README


def _raw_sql_uses(tree: ast.AST) -> list[str]:
    """sqlite3 imports, sqlalchemy.text and exec_driver_sql: raw SQL's ways in."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name == "sqlite3" for a in node.names):
            found.append("import sqlite3")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            found += [f"from {node.module} import text" for a in node.names if a.name == "text"]
        elif isinstance(node, ast.Attribute) and node.attr == "exec_driver_sql":
            found.append("exec_driver_sql")
        elif (
            isinstance(node, ast.Attribute)
            and node.attr == "text"
            and isinstance(node.value, ast.Name)
            and node.value.id in ("sa", "sqlalchemy")
        ):
            found.append(f"{node.value.id}.text")
    return found


def test_raw_sql_and_sqlite3_stay_inside_the_store_package():
    offenders = []
    for path in (ROOT / "src" / "commonground").rglob("*.py"):
        rel = path.relative_to(ROOT / "src" / "commonground")
        if rel.parts[0] in ("store", "search"):
            continue
        uses = _raw_sql_uses(ast.parse(path.read_text(encoding="utf-8")))
        if uses:
            offenders.append(f"{rel}: {', '.join(uses)}")
    assert offenders == []
