"""Fixtures of the member-system tests: the real service, started once per test session.

`member_service` runs `python -m member_system` in a subprocess on a free port, with a fresh
SQLite database in a temporary folder and test keys, and waits for /health. Nothing is mocked.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
for folder in (ROOT, HERE):  # `member_system`, `actions` and `ms_service` import from the checkout
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from ms_service import API_KEY, Service, free_port, service_env, start_service, stop_service  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "postgres: needs the PostgreSQL server (skipped when it is unreachable)"
    )
    config.addinivalue_line("markers", "integration: starts real servers (slower)")


@pytest.fixture(scope="session")
def member_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    folder = tmp_path_factory.mktemp("member_system")
    database = folder / "members.sqlite3"
    env = service_env(free_port(), f"sqlite:///{database}")
    service = start_service(env, folder / "service.log", database)
    yield service
    stop_service(service)
    assert "Traceback" not in service.log.read_text(), service.log.read_text()


@pytest.fixture
def api(member_service: Service) -> Iterator[httpx.Client]:
    """A synchronous client with the action server's key."""
    with httpx.Client(
        base_url=member_service.url, headers={"X-API-Key": API_KEY}, timeout=10
    ) as client:
        yield client


@pytest.fixture
def no_faults(member_service: Service) -> Iterator[Service]:
    """Restore a healthy service after a test that injects faults."""
    member_service.set_faults()
    yield member_service
    member_service.set_faults()
