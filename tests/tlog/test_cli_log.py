"""`commonground log export` and `log verify` (offline)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from commonground.cli.log import app
from commonground.tlog import storage
from commonground.tlog.envelope import Envelope
from commonground.tlog.note import Signer

ORIGIN = "commonground.org/log"


def test_export_then_verify_offline(store, database_url, tmp_path):
    signer = Signer.generate(ORIGIN)
    records = [{"id": f"r{i}", "n": i} for i in range(3)]
    with store.transaction() as session:
        storage.append(
            session,
            ORIGIN,
            [Envelope.for_record("x/v1", r["id"], r, "k").to_bytes() for r in records],
        )
        storage.sign_checkpoint(session, ORIGIN, signer)
    out = tmp_path / "r1.tlog-proof"
    runner = CliRunner()
    result = runner.invoke(app, ["export", "1", "--out", str(out), "--database-url", database_url])
    assert result.exit_code == 0, result.output
    vkey = tmp_path / "log.vkey"
    vkey.write_text(signer.verifier().to_text() + "\n")
    record = tmp_path / "r1.json"
    record.write_text(json.dumps(records[1]))
    result = runner.invoke(app, ["verify", str(out), "--vkey", str(vkey), "--record", str(record)])
    assert result.exit_code == 0, result.output
    assert "OK: record r1" in result.output and "record matches" in result.output
    record.write_text(json.dumps(records[2]))
    result = runner.invoke(
        app, ["verify", str(out), "--vkey", signer.verifier().to_text(), "--record", str(record)]
    )
    assert result.exit_code != 0
    assert "record" in str(result.exception)
