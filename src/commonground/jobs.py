"""Work `commonground serve` does on a clock, beside answering requests.

- publish every vulnerability whose embargo has ended (no one has to remember to);
- sign a checkpoint of the transparency log on a fixed cadence when the log grew, and
  publish its tiles when a directory is configured.

One daemon thread runs both; each tick is its own write transaction, so several server
processes on one PostgreSQL database can run it side by side (the log's coordinator row
and the embargo update serialise them).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from commonground.config import Settings
from commonground.store.engine import Store
from commonground.tlog.note import Signer

log = logging.getLogger("commonground.jobs")


def log_signer(settings: Settings) -> Signer:
    """The log's signer key, made on first use (a laptop install needs no setup)."""
    path: Path = settings.log_key_file
    if path.exists():
        signer = Signer.from_text(path.read_text(encoding="utf-8").strip())
        if signer.name != settings.log_origin:
            raise ValueError(
                f"{path}: the key is named {signer.name!r}, not the log origin "
                f"{settings.log_origin!r}"
            )
        return signer
    signer = Signer.generate(settings.log_origin)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created private from the start: the key never exists world-readable.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(signer.to_text() + "\n")
    return signer


def publish_embargoes(store: Store, now: dt.datetime | None = None) -> list[str]:
    """Publish every vulnerability whose embargo ended; returns their ids."""
    from commonground.registry.disclosure import publish_due

    with store.transaction() as session:
        session.info["submitter"] = "operator:embargo"
        return publish_due(session, now or dt.datetime.now(dt.UTC))


def checkpoint(store: Store, settings: Settings, signer: Signer):  # type: ignore[no-untyped-def]
    """Sign a checkpoint if the cadence calls for one; publish tiles if configured."""
    from commonground.tlog.cadence import checkpoint_once

    return checkpoint_once(
        store,
        settings.log_origin,
        signer,
        interval=dt.timedelta(seconds=settings.log_checkpoint_interval),
        publish_dir=settings.log_tiles_dir,
    )


@dataclass
class Jobs:
    store: Store
    settings: Settings
    signer: Signer | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    def tick(self, now: dt.datetime | None = None) -> None:
        """One round of every job that is switched on; a failing job is logged, not fatal."""
        if self.settings.embargo_interval > 0:
            try:
                published = publish_embargoes(self.store, now)
                if published:
                    log.info("published %d vulnerabilities whose embargo ended", len(published))
            except Exception:
                log.exception("publishing ended embargoes failed")
        if self.signer is not None:
            try:
                tick = checkpoint(self.store, self.settings, self.signer)
                if tick.signed:
                    log.info("signed checkpoint of size %d", tick.size)
            except Exception:
                log.exception("signing a checkpoint failed")

    def start(self) -> None:
        intervals = [
            i
            for i in (self.settings.embargo_interval, self.settings.log_checkpoint_interval)
            if i > 0
        ]
        if not intervals:
            return
        period = min(intervals)

        def loop() -> None:
            while not self.stop.is_set():
                self.tick()
                self.stop.wait(period)

        self.thread = threading.Thread(target=loop, name="commonground-jobs", daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join(timeout=10)


def start_jobs(store: Store, settings: Settings) -> Jobs:
    signer = log_signer(settings) if settings.log_checkpoint_interval > 0 else None
    jobs = Jobs(store=store, settings=settings, signer=signer)
    jobs.start()
    return jobs
