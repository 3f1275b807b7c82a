"""Shared fixtures: tracker factory, dispatcher, and a real Redis for integration tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import httpx
import pytest
import redis
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from assurbot.stack import Stack, default_services
from assurbot.train import model_path

ROOT = Path(__file__).resolve().parent.parent


def make_tracker(
    slots: Optional[Dict[str, Any]] = None,
    intent: str = "greet",
    entities: Optional[List[Dict[str, Any]]] = None,
    metadata: Optional[Dict[str, Any]] = None,
    text: str = "",
    events: Optional[List[Dict[str, Any]]] = None,
    sender_id: str = "test-sender",
    active_loop: Optional[str] = None,
    extra_parse_data: Optional[Dict[str, Any]] = None,
) -> Tracker:
    """A rasa-sdk tracker as the action server receives it."""
    latest_message = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": entities or [],
        "metadata": metadata or {},
        "intent_ranking": [{"name": intent, "confidence": 1.0}],
        **(extra_parse_data or {}),
    }
    return Tracker(
        sender_id=sender_id,
        slots=slots or {},
        latest_message=latest_message,
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Redis: REDIS_URL, else 127.0.0.1:6379, else one started from redis-server.

    Tests use database 15 (TEST_REDIS_DB) and flush it, so a developer's own data in db 0 is
    never touched; two people (or agents) testing on one Redis each pick their own database.
    """
    db = os.environ.get("TEST_REDIS_DB", "15")
    candidates = [os.environ.get("REDIS_URL", "").strip(), "redis://127.0.0.1:6379"]
    process = None
    base = next((c for c in candidates if c and _redis_answers(c)), None)
    if base is None:
        binary = shutil.which("redis-server")
        if not binary:
            pytest.fail("No Redis: set REDIS_URL, run one on 6379, or install redis-server.")
        port = free_port()
        workdir = tmp_path_factory.mktemp("redis")
        process = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--dir",
                str(workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"redis://127.0.0.1:{port}"
        for _ in range(50):
            if _redis_answers(base):
                break
            time.sleep(0.1)
    url = (base.rsplit("/", 1)[0] if base.count("/") > 2 else base) + f"/{db}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    if process:
        process.terminate()
        process.wait()


# --- the running stack, shared by tests/integration and tests/web (one per session) ---
@dataclass
class RunningStack:
    env: Dict[str, str]
    rasa_url: str
    member_system_url: str
    key_prefix: str
    log_dir: Path

    def say(
        self, sender: str, text: str, metadata: Optional[Dict[str, Any]] = None
    ) -> List[Dict[str, Any]]:
        body: Dict[str, Any] = {"sender": sender, "message": text}
        if metadata is not None:
            body["metadata"] = metadata
        response = httpx.post(f"{self.rasa_url}/webhooks/rest/webhook", json=body, timeout=30)
        response.raise_for_status()
        return response.json()

    def texts(self, sender: str, text: str, metadata: Optional[Dict[str, Any]] = None) -> str:
        return "\n".join(m.get("text", "") for m in self.say(sender, text, metadata))


def stack_env(redis_url: str, **overrides: str) -> Dict[str, str]:
    env = dict(os.environ)
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env.setdefault(key, value)
    ports = {
        name: str(free_port())
        for name in ("RASA_PORT", "ACTION_SERVER_PORT", "MEMBER_SYSTEM_PORT", "WEB_PORT")
    }
    env.update(ports)
    env.update(
        {
            "REDIS_URL": redis_url,
            "REDIS_KEY_PREFIX": "it" + uuid.uuid4().hex[:8],
            "ACTION_SERVER_URL": f"http://127.0.0.1:{ports['ACTION_SERVER_PORT']}/webhook",
            "MEMBER_SYSTEM_URL": f"http://127.0.0.1:{ports['MEMBER_SYSTEM_PORT']}",
            "PYTHONPATH": str(ROOT),
            "RASA_API_TOKEN": uuid.uuid4().hex,
            # Never the developer's var/events.db; the `stack` fixture gives its own file.
            "EVENT_STORE_URL": "off",
            # Events reach the event store within this delay after the answer (batched).
            "EVENT_STORE_FLUSH_SECONDS": "0.05",
        }
    )
    env.update(overrides)
    return env


@pytest.fixture(scope="session")
def stack(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    model = os.environ.get("RASA_MODEL") or str(model_path())
    if not Path(model).exists():
        pytest.fail(f"no trained model at {model}: run `make train` first")
    workdir = tmp_path_factory.mktemp("stack")
    env = stack_env(
        redis_url,
        MEMBER_DB_URL=f"sqlite:///{workdir}/members.sqlite3",
        EVENT_STORE_URL=f"sqlite:///{workdir}/events.db",
    )
    log_dir = ROOT / "tests" / "artifacts" / "logs"
    with Stack(env, log_dir=log_dir) as running:
        running.start(default_services(env, model=model))
        yield RunningStack(
            env=env,
            rasa_url=f"http://127.0.0.1:{env['RASA_PORT']}",
            member_system_url=env["MEMBER_SYSTEM_URL"],
            key_prefix=env["REDIS_KEY_PREFIX"],
            log_dir=log_dir,
        )
