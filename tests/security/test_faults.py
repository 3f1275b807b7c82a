"""Faults in the middle of a conversation: the member is answered clearly within 5 s, the
conversation goes on afterwards, and no stored event is lost.

These tests break things, so they run their own stack (not the session's): the
member-information system, the action server and Rasa, on a Redis of their own started with
AOF persistence (`--appendonly yes`), as production's must be, so that a restarted Redis
comes back with every conversation. Faults: the member-information system slow (latency above
the client's timeout) and failing (every call a 503), injected through its PUT /admin/faults;
the action server killed and started again; Redis killed (SIGKILL, a crash) and started again
on the same port and data folder.

The measured times go to tests/artifacts/security/figures.json (see SECURITY.md).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import httpx
import pytest
import redis

from assurbot.stack import Running, Stack, default_services
from assurbot.train import model_path
from member_system.token import issue_token
from tests.conftest import ROOT, free_port, stack_env
from tests.security.conftest import NORMAL_QUESTION
from tests.security.test_fuzz_socketio import Visitor

pytestmark = pytest.mark.integration

DEADLINE_SECONDS = 5.0  # the requirement: a clear answer within 5 s, whatever broke
PERSONAL_QUESTION = "Où en est mon remboursement ?"
BACKEND_UNAVAILABLE = "Je ne peux pas consulter votre dossier pour le moment"
TECHNICAL_PROBLEM = "Je rencontre un problème technique"
PERSONAL_ANSWER = "en tout"  # "… (12 en tout)": Claire's own reimbursements


class RedisServer:
    """A redis-server of the tests' own, with AOF persistence, that can crash and restart."""

    def __init__(self, port: int, folder: Path):
        self.port, self.folder = port, folder
        self.process: Optional[subprocess.Popen] = None
        folder.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> float:
        binary = shutil.which("redis-server")
        if not binary:
            pytest.fail("no redis-server binary: `make test` installs it")
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "yes", "--dir", str(self.folder)],
            stdout=open(self.folder / "redis.log", "ab"),  # noqa: SIM115 - closed with it
            stderr=subprocess.STDOUT,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        for _ in range(100):
            try:
                if client.ping():
                    return time.perf_counter() - started
            except redis.RedisError:
                time.sleep(0.05)
        pytest.fail(f"redis-server on {self.port} did not start")

    def crash(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@dataclass
class FaultyStack:
    env: Dict[str, str]
    stack: Stack
    redis: RedisServer

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.env['RASA_PORT']}"

    def say(
        self, sender: str, text: str, metadata: Optional[Dict[str, Any]] = None
    ) -> Tuple[str, float]:
        """What the member reads, and how long they waited for it (wall clock)."""
        body: Dict[str, Any] = {"sender": sender, "message": text}
        if metadata:
            body["metadata"] = metadata
        started = time.perf_counter()
        response = httpx.post(f"{self.rasa_url}/webhooks/rest/webhook", json=body, timeout=120)
        waited = time.perf_counter() - started
        assert response.status_code == 200, response.text
        return "\n".join(m.get("text") or "" for m in response.json()), waited

    def set_faults(self, latency_ms: int = 0, error_rate: float = 0.0) -> None:
        response = httpx.put(
            f"{self.env['MEMBER_SYSTEM_URL']}/admin/faults",
            json={"latency_ms": latency_ms, "error_rate": error_rate},
            headers={"X-API-Key": self.env["MEMBER_SYSTEM_ADMIN_KEY"]},
            timeout=10,
        )
        response.raise_for_status()

    def stored_events(self, sender: str) -> List[Dict[str, Any]]:
        """The conversation's events as Redis holds them (the tracker store's append-only log)."""
        client = redis.Redis.from_url(self.redis.url)
        key = f"{self.env['REDIS_KEY_PREFIX']}:tracker:{sender}"
        return [json.loads(raw) for raw in client.lrange(key, 0, -1)]

    def api_events(self, sender: str) -> List[Dict[str, Any]]:
        """The same, as Rasa's HTTP API gives them (GET /conversations/<id>/tracker)."""
        response = httpx.get(
            f"{self.rasa_url}/conversations/{sender}/tracker",
            params={"include_events": "ALL", "token": self.env["RASA_API_TOKEN"]},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()["events"]

    def running(self, name: str) -> Running:
        return next(r for r in self.stack.running if r.service.name == name)


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultyStack]:
    model = os.environ.get("RASA_MODEL") or str(model_path())
    if not Path(model).exists():
        pytest.fail(f"no trained model at {model}: run `make train` first")
    folder = tmp_path_factory.mktemp("faults")
    redis_server = RedisServer(free_port(), folder / "redis")
    redis_server.start()
    env = stack_env(redis_server.url, MEMBER_DB_URL=f"sqlite:///{folder}/members.sqlite3")
    stack = Stack(env, log_dir=ROOT / "tests" / "artifacts" / "logs" / "faults")
    try:
        stack.start(
            default_services(env, model=model, include=["member_system", "actions", "rasa"])
        )
        yield FaultyStack(env, stack, redis_server)
    finally:
        stack.stop()
        redis_server.stop()


@pytest.fixture(scope="module")
def figures(security_figures: Dict[str, Any]) -> Dict[str, Any]:
    return security_figures.setdefault("faults", {})


def claire() -> Dict[str, str]:
    return {"auth_token": issue_token("P-CLAIRE-REMB", ttl=3600)}


def conversation() -> str:
    return f"fault-{uuid.uuid4().hex[:10]}"


def assert_nothing_lost(before: List[Dict[str, Any]], after: List[Dict[str, Any]]) -> None:
    assert after[: len(before)] == before, "a stored event changed or disappeared"


@pytest.mark.parametrize(
    "fault, faults",
    [
        ("member system slow (8 s latency)", {"latency_ms": 8_000}),
        ("member system failing (every call a 503)", {"error_rate": 1.0}),
    ],
)
def test_the_member_system_slow_or_failing(faulty, figures, fault, faults):
    sender = conversation()
    faulty.say(sender, "bonjour")
    before = faulty.stored_events(sender)
    faulty.set_faults(**faults)
    try:
        during, waited = faulty.say(sender, PERSONAL_QUESTION, claire())
    finally:
        faulty.set_faults()
    after, waited_after = faulty.say(sender, PERSONAL_QUESTION, claire())
    events = faulty.stored_events(sender)
    figures[fault] = {
        "answer_during_seconds": round(waited, 2),
        "answer_after_seconds": round(waited_after, 2),
        "events_before": len(before),
        "events_after": len(events),
    }
    print(f"{fault}: {figures[fault]}")
    assert BACKEND_UNAVAILABLE in during, during
    assert waited < DEADLINE_SECONDS, f"the member waited {waited:.2f} s"
    assert PERSONAL_ANSWER in after, after
    assert_nothing_lost(before, events)
    assert faulty.api_events(sender) == events


def widget_asks(faulty: FaultyStack, text: str, metadata: Dict[str, Any]) -> Tuple[str, float]:
    """The same question from the website chat (socket.io): what it shows, and when."""
    visitor = Visitor(faulty.rasa_url)
    try:
        session = conversation()
        visitor.open_session(session)
        started = time.perf_counter()
        answers = visitor.send({"message": text, "session_id": session, "metadata": metadata})
        return "\n".join(a.get("text", "") for a in answers), time.perf_counter() - started
    finally:
        visitor.close()


def test_the_action_server_killed_then_started_again(faulty, figures):
    sender = conversation()
    faulty.say(sender, "bonjour")
    answer, _ = faulty.say(sender, PERSONAL_QUESTION, claire())
    assert PERSONAL_ANSWER in answer
    before = faulty.stored_events(sender)

    actions = faulty.running("actions")
    os.killpg(actions.process.pid, signal.SIGKILL)
    actions.process.wait()
    faulty.stack.running.remove(actions)
    try:
        during, waited = faulty.say(sender, PERSONAL_QUESTION, claire())
        robot, waited_robot = faulty.say(sender, "es-tu un robot ?")  # needs no custom action
        widget, waited_widget = widget_asks(faulty, PERSONAL_QUESTION, claire())
    finally:
        restarting = time.perf_counter()
        faulty.stack.start([actions.service])
        restart_seconds = time.perf_counter() - restarting
    after, waited_after = faulty.say(sender, PERSONAL_QUESTION, claire())
    events = faulty.stored_events(sender)
    figures["action server killed (SIGKILL), then started again"] = {
        "answer_during_seconds": round(waited, 2),
        "widget_answer_during_seconds": round(waited_widget, 2),
        "answer_needing_no_action_during_seconds": round(waited_robot, 2),
        "restart_seconds": round(restart_seconds, 1),
        "answer_after_seconds": round(waited_after, 2),
        "events_before": len(before),
        "events_after": len(events),
    }
    print(f"action server killed: {figures['action server killed (SIGKILL), then started again']}")
    assert TECHNICAL_PROBLEM in during, during
    assert waited < DEADLINE_SECONDS, f"the member waited {waited:.2f} s"
    assert TECHNICAL_PROBLEM in widget, widget
    assert waited_widget < DEADLINE_SECONDS, f"the widget waited {waited_widget:.2f} s"
    assert "assistant virtuel" in robot, robot
    assert PERSONAL_ANSWER in after, after
    assert_nothing_lost(before, events)
    assert faulty.api_events(sender) == events


def test_the_action_server_frozen_then_resumed(faulty, figures):
    sender = conversation()
    faulty.say(sender, "bonjour")
    before = faulty.stored_events(sender)
    actions = faulty.running("actions")
    os.killpg(actions.process.pid, signal.SIGSTOP)  # it accepts connections, answers nothing
    try:
        during, waited = faulty.say(sender, PERSONAL_QUESTION, claire())
    finally:
        os.killpg(actions.process.pid, signal.SIGCONT)
    after, waited_after = faulty.say(sender, PERSONAL_QUESTION, claire())
    events = faulty.stored_events(sender)
    figures["action server frozen (SIGSTOP), then resumed"] = {
        "answer_during_seconds": round(waited, 2),
        "answer_after_seconds": round(waited_after, 2),
        "events_before": len(before),
        "events_after": len(events),
    }
    print(f"action server frozen: {figures['action server frozen (SIGSTOP), then resumed']}")
    assert TECHNICAL_PROBLEM in during, during
    assert waited < DEADLINE_SECONDS, f"the member waited {waited:.2f} s"
    assert PERSONAL_ANSWER in after, after
    assert_nothing_lost(before, events)


def test_redis_crashed_and_restarted(faulty, figures):
    sender = conversation()
    faulty.say(sender, "bonjour")
    answer, _ = faulty.say(sender, PERSONAL_QUESTION, claire())
    assert PERSONAL_ANSWER in answer
    before = faulty.stored_events(sender)
    assert faulty.api_events(sender) == before

    faulty.redis.crash()
    try:
        during, waited = faulty.say(sender, NORMAL_QUESTION)
    finally:
        redis_restart_seconds = faulty.redis.start()
    restored = faulty.stored_events(sender)
    after, waited_after = faulty.say(sender, NORMAL_QUESTION)
    events = faulty.stored_events(sender)
    figures["Redis crashed (SIGKILL) and restarted"] = {
        "answer_during_seconds": round(waited, 2),
        "redis_restart_seconds": round(redis_restart_seconds, 2),
        "answer_after_seconds": round(waited_after, 2),
        "events_before": len(before),
        "events_after_restart": len(restored),
        "events_after_next_message": len(events),
    }
    print(f"Redis restarted: {figures['Redis crashed (SIGKILL) and restarted']}")
    assert TECHNICAL_PROBLEM in during, during
    assert waited < DEADLINE_SECONDS, f"the member waited {waited:.2f} s"
    assert restored == before, "the restarted Redis lost stored events"
    assert "attestation" in after.lower(), after
    assert waited_after < DEADLINE_SECONDS, f"the member waited {waited_after:.2f} s"
    assert_nothing_lost(before, events)
    assert len(events) > len(before)
    assert faulty.api_events(sender) == events
