"""Shared fixtures: tracker factory, dispatcher, and a real Redis for integration tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest
import redis
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

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

    Tests use database 15 and flush it, so a developer's own data in db 0 is never touched.
    """
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
    url = base.rsplit("/", 1)[0] + "/15" if base.count("/") > 2 else base + "/15"
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    if process:
        process.terminate()
        process.wait()
