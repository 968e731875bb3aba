"""`serve`'s clock work: ended embargoes published, checkpoints signed on a cadence."""

from __future__ import annotations

import datetime as dt
import stat

import pytest

from commonground.config import Settings
from commonground.jobs import Jobs, log_signer
from commonground.store.models_cases import Vulnerability
from commonground.tlog import storage
from commonground.tlog.checkpoint import open_checkpoint
from commonground.tlog.envelope import is_commitment

ORIGIN = "jobs.test/log"
NOW = dt.datetime.now(dt.UTC)


@pytest.fixture
def settings(database_url, tmp_path):
    return Settings(
        database_url=database_url,
        log_origin=ORIGIN,
        log_key_file=tmp_path / "keys" / "log.key",
        log_checkpoint_interval=60,
        embargo_interval=60,
        log_tiles_dir=tmp_path / "tiles",
    )


def _vuln(id_: str, embargo_until: dt.datetime) -> Vulnerability:
    return Vulnerability(
        id=id_,
        kind="vulnerability",
        title=id_,
        embargo_until=embargo_until,
        status="new",
        created_at=NOW,
        updated_at=NOW,
    )


def test_the_log_key_is_made_once_privately_and_must_match_the_origin(settings):
    signer = log_signer(settings)
    path = settings.log_key_file
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert log_signer(settings).verifier() == signer.verifier()
    with pytest.raises(ValueError, match="not the log origin"):
        log_signer(settings.model_copy(update={"log_origin": "other.test/log"}))


def test_a_tick_publishes_ended_embargoes_and_signs_a_checkpoint(store, settings):
    store.log_origin = ORIGIN
    with store.transaction() as session:
        session.add(_vuln("V-ended", NOW - dt.timedelta(minutes=1)))
        session.add(_vuln("V-later", NOW + dt.timedelta(days=7)))
    signer = log_signer(settings)
    jobs = Jobs(store=store, settings=settings, signer=signer)
    jobs.tick()
    with store.sessions() as session:
        assert session.get(Vulnerability, "V-ended").published_at is not None
        assert session.get(Vulnerability, "V-later").published_at is None
        size = storage.log_size(session, ORIGIN)
        entries = [storage.entry(session, ORIGIN, i) for i in range(size)]
        note = storage.latest_checkpoint(session, ORIGIN)
    # Two sealed commitments, then the published one's envelope.
    assert [is_commitment(e) for e in entries] == [True, True, False]
    checkpoint, _ = open_checkpoint(note, [signer.verifier()])
    assert checkpoint.size == 3
    assert (settings.log_tiles_dir / "checkpoint").read_text() == note
    jobs.tick()  # nothing new: no second checkpoint, nothing published
    with store.sessions() as session:
        assert storage.latest_checkpoint(session, ORIGIN) == note
        assert storage.log_size(session, ORIGIN) == 3


def test_the_thread_starts_and_stops(store, settings):
    store.log_origin = ORIGIN
    jobs = Jobs(store=store, settings=settings, signer=log_signer(settings))
    jobs.start()
    jobs.close()
    assert jobs.thread is not None and not jobs.thread.is_alive()


def test_the_app_serves_the_published_tiles(store, settings):
    from fastapi.testclient import TestClient

    from commonground.web.app import create_app

    store.log_origin = ORIGIN
    with store.transaction() as session:
        session.add(_vuln("V-ended", NOW - dt.timedelta(minutes=1)))
    Jobs(store=store, settings=settings, signer=log_signer(settings)).tick()
    with TestClient(create_app(settings, store=store)) as client:
        got = client.get("/log/checkpoint")
        assert got.status_code == 200 and got.text.startswith(ORIGIN + "\n2\n")
        assert client.get("/log/tile/entries/000.p/2").status_code == 200
