"""Every environment variable the action server reads, in one place.

Read when called, not at import: tests and the launcher change the environment freely, and
rasa-sdk imports every module of this package at start-up (no import-time side effects).
The defaults are documented in .env.example.
"""

from __future__ import annotations

import os


def _get(name: str, default: str) -> str:
    value = os.environ.get(name, "")
    return value if value.strip() else default


def member_system_url() -> str:
    return _get("MEMBER_SYSTEM_URL", "http://127.0.0.1:8090").rstrip("/")


def member_system_api_key() -> str:
    return _get("MEMBER_SYSTEM_API_KEY", "dev-member-system-key")


def member_system_timeout() -> float:
    return float(_get("MEMBER_SYSTEM_TIMEOUT", "3.0"))


def member_system_deadline() -> float:
    """Seconds one call may take, its retry included: the member's answer must come within
    5 s, and Rasa and the action server need the rest."""
    return float(_get("MEMBER_SYSTEM_DEADLINE", "3.5"))


def member_token_secret() -> str:
    return _get("MEMBER_TOKEN_SECRET", "dev-only-insecure-token-secret-change-me")


def login_url() -> str:
    return _get("LOGIN_URL", "https://assure.ameli.fr")
