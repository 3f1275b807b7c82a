"""The running stack for integration tests: real processes on free ports, a real Redis."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import httpx
import pytest

from assurbot.stack import Stack, default_services
from assurbot.train import model_path
from tests.conftest import ROOT, free_port

pytestmark = pytest.mark.integration


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
        name: str(free_port()) for name in ("RASA_PORT", "ACTION_SERVER_PORT", "MEMBER_SYSTEM_PORT")
    }
    env.update(ports)
    env.update(
        {
            "REDIS_URL": redis_url,
            "REDIS_KEY_PREFIX": "it" + uuid.uuid4().hex[:8],
            "ACTION_SERVER_URL": f"http://127.0.0.1:{ports['ACTION_SERVER_PORT']}/webhook",
            "MEMBER_SYSTEM_URL": f"http://127.0.0.1:{ports['MEMBER_SYSTEM_PORT']}",
            "PYTHONPATH": str(ROOT),
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
    env = stack_env(redis_url, MEMBER_DB_URL=f"sqlite:///{workdir}/members.sqlite3")
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
