"""`commonground log export` and `log verify` (offline)."""

from __future__ import annotations

import datetime as dt
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


def test_export_a_record_by_type_and_id_then_verify_it(store, database_url, tmp_path):
    from commonground.store.models import Instrument
    from commonground.store.models_cases import Vulnerability

    signer = Signer.generate(ORIGIN)
    with store.transaction() as session:
        session.add(Instrument(id="inst-a", name_en="A", type="law", origin="curated"))
        session.add(
            Vulnerability(
                id="V:secret",
                kind="vulnerability",
                status="new",
                created_at=dt.datetime.now(dt.UTC),
                updated_at=dt.datetime.now(dt.UTC),
            )
        )
    with store.transaction() as session:
        storage.sign_checkpoint(session, ORIGIN, signer)
    runner = CliRunner()
    bundle, record = tmp_path / "a.tlog-proof", tmp_path / "a.json"
    args = ["--out", str(bundle), "--record-out", str(record), "--database-url", database_url]
    result = runner.invoke(app, ["export", "instrument:inst-a", *args])
    assert result.exit_code == 0, result.output
    assert json.loads(record.read_text())["name_en"] == "A"
    vkey = signer.verifier().to_text()
    result = runner.invoke(app, ["verify", str(bundle), "--vkey", vkey, "--record", str(record)])
    assert result.exit_code == 0 and "OK: record inst-a (instrument)" in result.output
    # An embargoed record has no public entry: the same answer as an unknown one.
    for what in ("vulnerability:V:secret", "vulnerability:V:none"):
        result = runner.invoke(app, ["export", what, *args])
        assert result.exit_code != 0 and "no published log entry" in str(result.exception)
    result = runner.invoke(app, ["export", "instrument", *args])
    assert result.exit_code != 0 and "TYPE:ID" in str(result.exception)
