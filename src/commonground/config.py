"""Settings, built once at the edge (CLI or app factory) and passed in."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    path = Path(user_data_dir("commonground", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_database_url() -> str:
    """SQLite in the user's data directory: the laptop default."""
    path = Path(user_data_dir("commonground", appauthor=False)) / "commonground.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def default_shared_data_dir() -> Path:
    """`../shared/data` beside the checkout, where the shared datasets live."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent.parent / "shared" / "data"
        if candidate.is_dir():
            return candidate
    return Path.cwd().parent / "shared" / "data"


class Settings(BaseSettings):
    """Every setting has an environment variable `COMMONGROUND_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="COMMONGROUND_")

    database_url: str = Field(default_factory=default_database_url)
    shared_data_dir: Path = Field(default_factory=default_shared_data_dir)
    host: str = "127.0.0.1"
    port: int = 8000
    # Cache rendered pages per URL and data version (see web/cache.py).
    page_cache: bool = True
    # The transparency log: its origin line, the file holding its signer key (C2SP skey
    # text; `commonground log keygen` makes one), how often `serve` signs a checkpoint
    # when the log grew (seconds; 0: never), and where it publishes tlog-tiles (optional).
    log_origin: str = "commonground.org/log"
    log_key_file: Path = Field(default_factory=lambda: default_data_dir() / "log-signer.key")
    log_checkpoint_interval: int = 60
    log_tiles_dir: Path | None = None
    # How often `serve` publishes vulnerabilities whose embargo has ended (seconds; 0: never).
    embargo_interval: int = 60
