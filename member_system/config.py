"""The member-information system's settings, read from the environment when asked for.

Nothing here runs at import: `load_config()` is called once by the app factory and by the CLIs.
The development defaults below are public and therefore unsafe; README.md says so.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

# Development defaults, identical to those of actions/settings.py so that a fresh checkout works
# without configuration. Never use them outside a developer's machine.
DEV_API_KEY = "dev-member-system-key"
DEV_ADMIN_KEY = "dev-member-system-admin-key"
DEV_DB_PATH = REPO_ROOT / "var" / "member_system.sqlite3"
DEFAULT_PORT = 8090
DEFAULT_PG_SCHEMA = "member_system"
DEFAULT_SEED = 20261124
DEFAULT_MEMBER_COUNT = 1200


class ConfigError(ValueError):
    """An environment variable has a value the service cannot use."""


@dataclass(frozen=True)
class Config:
    host: str
    port: int
    db_url: str
    db_schema: str | None
    # caller name -> key; the caller name is what the audit log records
    api_keys: dict[str, str] = field(default_factory=dict)
    admin_key: str = DEV_ADMIN_KEY
    latency_ms: int = 0
    error_rate: float = 0.0
    seed: int = DEFAULT_SEED
    member_count: int = DEFAULT_MEMBER_COUNT
    log_level: str = "info"

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")

    @property
    def uses_dev_keys(self) -> bool:
        return DEV_API_KEY in self.api_keys.values() or self.admin_key == DEV_ADMIN_KEY


def _env(environ: dict[str, str], name: str, default: str = "") -> str:
    value = environ.get(name, "")
    return value.strip() if value.strip() else default


def _int(environ: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = _env(environ, name, str(default))
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _float(environ: dict[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = _env(environ, name, str(default))
    try:
        value = float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, got {value}")
    return value


def parse_api_keys(single: str, many: str) -> dict[str, str]:
    """`MEMBER_SYSTEM_API_KEY` is the action server's key; `MEMBER_SYSTEM_API_KEYS` adds named
    keys as `name:key,name2:key2` (e.g. a benchmark or an operator)."""
    keys = {"action_server": single}
    for item in filter(None, (part.strip() for part in many.split(","))):
        name, sep, key = item.partition(":")
        if not sep or not name.strip() or not key.strip():
            raise ConfigError(
                "MEMBER_SYSTEM_API_KEYS must look like 'name:key,name2:key2', "
                f"got the item {item!r}"
            )
        keys[name.strip()] = key.strip()
    return keys


def load_config(environ: dict[str, str] | None = None) -> Config:
    env = dict(os.environ if environ is None else environ)
    db_url = _env(env, "MEMBER_DB_URL", f"sqlite:///{DEV_DB_PATH}")
    schema = _env(env, "MEMBER_DB_SCHEMA", "" if db_url.startswith("sqlite") else DEFAULT_PG_SCHEMA)
    return Config(
        host=_env(env, "MEMBER_SYSTEM_HOST", "127.0.0.1"),
        port=_int(env, "MEMBER_SYSTEM_PORT", DEFAULT_PORT, 1, 65535),
        db_url=db_url,
        db_schema=schema or None,
        api_keys=parse_api_keys(
            _env(env, "MEMBER_SYSTEM_API_KEY", DEV_API_KEY), _env(env, "MEMBER_SYSTEM_API_KEYS")
        ),
        admin_key=_env(env, "MEMBER_SYSTEM_ADMIN_KEY", DEV_ADMIN_KEY),
        latency_ms=_int(env, "MEMBER_SYSTEM_LATENCY_MS", 0, 0, 600_000),
        error_rate=_float(env, "MEMBER_SYSTEM_ERROR_RATE", 0.0, 0.0, 1.0),
        seed=_int(env, "MEMBER_SYSTEM_SEED", DEFAULT_SEED, 0, 2**31 - 1),
        member_count=_int(env, "MEMBER_SYSTEM_MEMBER_COUNT", DEFAULT_MEMBER_COUNT, 0, 200_000),
        log_level=_env(env, "MEMBER_SYSTEM_LOG_LEVEL", "info").lower(),
    )
