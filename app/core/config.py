"""Settings: the one place that reads the environment (prefix ``BPE_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    """Server settings; each can be set as an environment variable, e.g. ``BPE_DB_PATH``."""

    model_config = SettingsConfigDict(env_prefix="BPE_")

    #: SQLite database file holding every network (created if missing)
    db_path: Path = ROOT / "explorer.db"
    #: a network untouched for this long is deleted
    idle_expiry_seconds: float = 7 * 24 * 3600.0
    #: at most this many networks are kept; the least recently used is evicted beyond it
    max_networks: int = 10_000
    #: networks kept in memory (others are loaded from the database on use)
    cache_size: int = 256
    #: largest accepted request body
    max_body_bytes: int = 5 * 1024 * 1024
    static_dir: Path = ROOT / "static"
    templates_dir: Path = ROOT / "templates"


settings = Settings()
