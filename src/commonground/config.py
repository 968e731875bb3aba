"""Settings, built once at the edge (CLI or app factory) and passed in."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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
