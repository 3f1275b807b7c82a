"""`make run`'s launcher: starts everything, says where to chat, Ctrl-C stops it all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from tests.conftest import ROOT, stack_env

pytestmark = pytest.mark.integration


def assert_says_where_to_chat(launcher: subprocess.Popen, seconds: float) -> None:
    """Reads the launcher's output until it is ready (or `seconds` pass); it must have said
    where to chat."""
    output = []
    deadline = time.monotonic() + seconds
    for line in launcher.stdout:
        output.append(line)
        if "Press Ctrl-C" in line or time.monotonic() > deadline:
            break
    assert any("Chat over REST" in line for line in output), "".join(output)


def test_the_launcher_starts_the_stack_and_ctrl_c_stops_every_process(tmp_path):
    env = stack_env(
        "",
        MEMBER_DB_URL=f"sqlite:///{tmp_path}/m.sqlite3",
        TRACKER_SQLITE_PATH=str(tmp_path / "trackers.db"),
    )
    model = os.environ.get("RASA_MODEL")
    command = [sys.executable, "-m", "assurbot.stack", "run"] + (
        ["--model", model] if model else []
    )
    launcher = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert_says_where_to_chat(launcher, 180)
    url = f"http://127.0.0.1:{env['RASA_PORT']}/webhooks/rest/webhook"
    reply = httpx.post(url, json={"sender": "t", "message": "bonjour"}, timeout=30).json()
    assert "Assurbot" in reply[0]["text"]  # embedded default: no Redis configured

    launcher.send_signal(signal.SIGINT)
    rest = launcher.communicate(timeout=60)[0]
    assert "stopped" in rest
    for port in (
        env["RASA_PORT"],
        env["ACTION_SERVER_PORT"],
        env["MEMBER_SYSTEM_PORT"],
        env["WEB_PORT"],
    ):
        with pytest.raises(httpx.TransportError):
            httpx.get(f"http://127.0.0.1:{port}/", timeout=2)


def test_no_process_outlives_a_launcher_that_is_killed(tmp_path):
    """Killed without a chance to clean up (kill -9, terminal closed): the children stop too."""
    env = stack_env(
        "",
        MEMBER_DB_URL=f"sqlite:///{tmp_path}/m.sqlite3",
        TRACKER_SQLITE_PATH=str(tmp_path / "trackers.db"),
    )
    launcher = subprocess.Popen(
        [sys.executable, "-m", "assurbot.stack", "run", "--only", "member_system", "actions"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    for line in launcher.stdout:
        if line.startswith("Started") or "stopped during start-up" in line:
            break
    member_system = f"http://127.0.0.1:{env['MEMBER_SYSTEM_PORT']}/health"
    assert httpx.get(member_system, timeout=5).status_code == 200
    launcher.kill()
    launcher.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(member_system, timeout=1)
        except httpx.TransportError:
            break
        time.sleep(0.5)
    else:
        raise AssertionError("the member system outlived its launcher")
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{env['ACTION_SERVER_PORT']}/health", timeout=2)


def _ctrl_c(process: subprocess.Popen) -> str:
    """What a terminal's Ctrl-C does: SIGINT to the whole foreground group."""
    os.killpg(process.pid, signal.SIGINT)
    return process.communicate(timeout=90)[0]


def test_make_run_prod_runs_two_workers_on_redis(tmp_path, redis_url):
    import redis

    env = stack_env(
        redis_url,
        MEMBER_DB_URL=f"sqlite:///{tmp_path}/m.sqlite3",
        TRACKER_SQLITE_PATH=str(tmp_path / "trackers.db"),
    )
    env.pop("SANIC_WORKERS", None)  # run-prod's own default: 2
    launcher = subprocess.Popen(
        ["make", "--no-print-directory", "run-prod"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert_says_where_to_chat(launcher, 300)
        rasa = f"http://127.0.0.1:{env['RASA_PORT']}"
        ready = httpx.get(f"{rasa}/webhooks/rest/ready", timeout=10)
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"]["redis"]["detail"] == "PONG"
        # Two Sanic workers share the port: new connections reach both.
        pids = set()
        for _ in range(200):
            pids.add(httpx.get(f"{rasa}/webhooks/rest/ready", timeout=10).json()["pid"])
            if len(pids) == 2:
                break
        assert len(pids) == 2, pids
        reply = httpx.post(
            f"{rasa}/webhooks/rest/webhook",
            json={"sender": "prod-shape", "message": "bonjour"},
            timeout=30,
        ).json()
        assert "Assurbot" in reply[0]["text"]
        stored = redis.Redis.from_url(redis_url).llen(
            f"{env['REDIS_KEY_PREFIX']}:tracker:prod-shape"
        )
        assert stored > 0  # the conversation is in Redis, not in SQLite
    finally:
        rest = _ctrl_c(launcher)
    assert "stopped" in rest, rest[-2000:]


def test_make_run_prod_says_clearly_when_redis_is_unreachable(tmp_path):
    env = stack_env("redis://127.0.0.1:1/0", MEMBER_DB_URL=f"sqlite:///{tmp_path}/m.sqlite3")
    result = subprocess.run(
        ["make", "--no-print-directory", "run-prod"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode != 0
    assert "Redis is not reachable at 127.0.0.1:1/0" in result.stderr, result.stderr[-2000:]
