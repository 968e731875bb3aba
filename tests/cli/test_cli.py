import json

from typer.testing import CliRunner

from commonground.cli import app

runner = CliRunner()


def test_cli_import_stats_and_export_round_trip(database_url, shared_data):
    result = runner.invoke(
        app,
        [
            "import",
            "country-codes",
            str(shared_data / "country-codes"),
            "--database-url",
            database_url,
        ],
    )
    assert result.exit_code == 0, result.output
    assert "imported 249 country-codes records" in result.output

    result = runner.invoke(app, ["stats", "--database-url", database_url])
    assert result.exit_code == 0
    counts = {
        cells[0]: cells[1]
        for line in result.output.splitlines()
        if len(cells := [c.strip() for c in line.strip("│┃ ").split("│")]) == 2
    }
    assert counts["actor"] == "249"
    assert counts["instrument"] == "0"

    result = runner.invoke(
        app, ["export", "actor", "--format", "json", "--database-url", database_url]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) == 249
    assert {r["id"]: r["name_zh"] for r in rows}["CHN"] == "中国"

    result = runner.invoke(
        app, ["export", "actor", "--format", "csv", "--database-url", database_url]
    )
    assert result.exit_code == 0
    assert result.output.splitlines()[0].startswith("id,kind,name_en")
    assert len(result.output.strip().splitlines()) == 250


def test_cli_rejects_unknown_source_table_and_format(database_url):
    for args in (
        ["import", "nonsense", "/tmp", "--database-url", database_url],
        ["export", "no_such_table", "--database-url", database_url],
        ["export", "actor", "--format", "xml", "--database-url", database_url],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code != 0
        assert result.exception is not None
