"""Helpers of the member-system tests: start the real service and drive its fault switch.

(A module with a unique name rather than conftest.py, so that test modules can import it.)
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]

API_KEY = "test-action-server-key"
BENCH_KEY = "test-benchmark-key"
ADMIN_KEY = "test-admin-key"
STARTUP_LIMIT_SECONDS = 60


@dataclass
class Service:
    url: str
    process: subprocess.Popen
    database: Path
    log: Path
    startup_seconds: float

    def admin(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"X-API-Key": ADMIN_KEY}, timeout=10)

    def set_faults(self, latency_ms: int = 0, error_rate: float = 0.0, seed: int | None = None):
        with self.admin() as client:
            response = client.put(
                "/admin/faults",
                json={"latency_ms": latency_ms, "error_rate": error_rate, "seed": seed},
            )
            response.raise_for_status()
            return response.json()

    def faults(self) -> dict:
        with self.admin() as client:
            return client.get("/admin/faults").json()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def service_env(port: int, db_url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    for name in list(env):
        if name.startswith(("MEMBER_SYSTEM_", "MEMBER_DB_")):
            del env[name]
    env.update(
        {
            "MEMBER_DB_URL": db_url,
            "MEMBER_SYSTEM_PORT": str(port),
            "MEMBER_SYSTEM_API_KEY": API_KEY,
            "MEMBER_SYSTEM_API_KEYS": f"benchmark:{BENCH_KEY}",
            "MEMBER_SYSTEM_ADMIN_KEY": ADMIN_KEY,
            "MEMBER_SYSTEM_LOG_LEVEL": "warning",
            **extra,
        }
    )
    return env


def start_service(env: dict[str, str], log_path: Path, database: Path) -> Service:
    url = f"http://127.0.0.1:{env['MEMBER_SYSTEM_PORT']}"
    log_file = open(log_path, "w")  # noqa: SIM115 - closed with the process
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "member_system"],
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    deadline = started + STARTUP_LIMIT_SECONDS
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            pytest.fail(f"member_system exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return Service(url, process, database, log_path, time.perf_counter() - started)
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    process.kill()
    pytest.fail(f"member_system did not answer /health in time:\n{log_path.read_text()}")


def stop_service(service: Service) -> None:
    service.process.terminate()
    try:
        service.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        service.process.kill()
        service.process.wait(timeout=10)
