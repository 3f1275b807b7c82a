"""Starts and stops Assurbot's processes: what `make run` and the integration tests both use.

    python -m assurbot.stack run        # start everything, print where to chat, Ctrl-C stops

Each process writes its log to var/log/<name>.log; a process that dies during start-up is
reported with the end of its log, and everything already started is stopped.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def _die_with_parent() -> None:
    """Runs in each child before exec: it is stopped if the launcher dies without cleaning up
    (killed, or its terminal closed), so no process is left behind."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


@dataclass
class Service:
    name: str
    command: List[str]
    ready_url: str
    env: Dict[str, str] = field(default_factory=dict)
    start_timeout: float = 120.0


@dataclass
class Running:
    service: Service
    process: subprocess.Popen
    log_path: Path


def default_services(
    env: Dict[str, str], model: Optional[str] = None, include: Optional[Sequence[str]] = None
) -> List[Service]:
    """The processes of the stack, configured from ``env`` (see .env.example)."""
    rasa_port = env.get("RASA_PORT", "5005")
    actions_port = env.get("ACTION_SERVER_PORT", "5055")
    member_port = env.get("MEMBER_SYSTEM_PORT", "8090")
    model = model or env.get("RASA_MODEL") or _current_model()
    services = []
    if (ROOT / "member_system" / "__main__.py").exists():
        services.append(
            Service(
                "member_system",
                [str(VENV_BIN / "python"), "-m", "member_system"],
                f"http://127.0.0.1:{member_port}/health",
            )
        )
    services.append(
        Service(
            "actions",
            [str(VENV_BIN / "python"), "-m", "assurbot.action_server"],
            f"http://127.0.0.1:{actions_port}/health",
        )
    )
    rasa_command = [
        str(VENV_BIN / "rasa"),
        "run",
        "--model",
        model,
        "--endpoints",
        "endpoints.yml",
        "--credentials",
        "credentials.yml",
        "--port",
        rasa_port,
        "--interface",
        env.get("RASA_HOST") or "127.0.0.1",
    ]
    cors = env.get("CORS_ORIGINS", "").split()
    if cors:
        rasa_command += ["--cors", *cors]
    if env.get("RASA_API_TOKEN", "").strip():
        # Rasa's HTTP API, behind the token: the web server records thumbs up/down through it.
        rasa_command += ["--enable-api", "--auth-token", env["RASA_API_TOKEN"].strip()]
    services.append(Service("rasa", rasa_command, f"http://127.0.0.1:{rasa_port}/"))
    if (ROOT / "web" / "server.py").exists():
        web_port = env.get("WEB_PORT", "8080")
        services.append(
            Service(
                "web",
                [str(VENV_BIN / "python"), "-m", "web.server"],
                f"http://127.0.0.1:{web_port}/health",
            )
        )
    if include is not None:
        services = [s for s in services if s.name in include]
    return services


def _current_model() -> str:
    from assurbot.train import model_path

    return str(model_path())


class Stack:
    """A set of running services, stopped together."""

    def __init__(self, env: Optional[Dict[str, str]] = None, log_dir: Optional[Path] = None):
        self.env = dict(os.environ if env is None else env)
        self.env.setdefault("PYTHONPATH", str(ROOT))
        self.log_dir = log_dir or ROOT / "var" / "log"
        self.running: List[Running] = []

    def start(self, services: Sequence[Service]) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        try:
            for service in services:
                self._start_one(service)
        except BaseException:
            self.stop()
            raise

    def _start_one(self, service: Service) -> None:
        log_path = self.log_dir / f"{service.name}.log"
        log = open(log_path, "wb")
        process = subprocess.Popen(
            service.command,
            cwd=ROOT,
            env={**self.env, **service.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop() reaches its children
            preexec_fn=_die_with_parent,
        )
        self.running.append(Running(service, process, log_path))
        deadline = time.monotonic() + service.start_timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(
                    f"{service.name} stopped during start-up (exit {process.returncode}); "
                    f"end of {log_path}:\n{tail(log_path)}"
                )
            if is_up(service.ready_url):
                return
            time.sleep(0.5)
        raise RuntimeError(
            f"{service.name} did not answer {service.ready_url} within "
            f"{service.start_timeout:.0f} s; end of {log_path}:\n{tail(log_path)}"
        )

    def stop(self) -> None:
        for running in reversed(self.running):
            _signal_group(running.process, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for running in reversed(self.running):
            try:
                running.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(running.process, signal.SIGKILL)
                running.process.wait()
        self.running.clear()

    def __enter__(self) -> "Stack":
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass


def is_up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status < 500
    except (urllib.error.URLError, OSError):
        return False


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def main() -> int:
    parser = argparse.ArgumentParser(description="Start Assurbot's processes.")
    parser.add_argument("command", choices=["run"])
    parser.add_argument("--model", help="model archive (default: the current data's model)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="start only these services")
    args = parser.parse_args()
    # Ctrl-C stops everything, even when started from a shell that ignores SIGINT.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    env = dict(os.environ)
    if not env.get("RASA_API_TOKEN", "").strip():
        # A fresh secret each run: Rasa's HTTP API is open only to the web server started here.
        env["RASA_API_TOKEN"] = secrets.token_urlsafe(32)
    stack = Stack(env)
    services = default_services(env, model=args.model, include=args.only)
    print("run: starting " + ", ".join(s.name for s in services) + " (about a minute)...")
    try:
        stack.start(services)
    except RuntimeError as error:
        print(f"run: {error}", file=sys.stderr)
        return 1
    rasa_port = env.get("RASA_PORT", "5005")
    print()
    if args.only and "rasa" not in args.only:
        print(f"Started {', '.join(args.only)}. Logs are in var/log/.", flush=True)
    else:
        print("Assurbot is running. Logs are in var/log/.")
    if any(s.name == "web" for s in services):
        print(f"  Chat in your browser:   http://127.0.0.1:{env.get('WEB_PORT', '8080')}/")
    webhook = f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"
    print(f"  Chat over REST:         curl -s -X POST {webhook} \\")
    print('                             -H "Content-Type: application/json" \\')
    print('                             -d \'{"sender": "moi", "message": "bonjour"}\'')
    if any(s.name == "member_system" for s in services):
        member_port = env.get("MEMBER_SYSTEM_PORT", "8090")
        print(f"  Member-information API: http://127.0.0.1:{member_port}/docs")
    print("Press Ctrl-C to stop everything.")
    stopping = False

    def _stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGHUP, _stop)  # the terminal was closed
    try:
        while not stopping:
            for running in stack.running:
                if running.process.poll() is not None:
                    print(
                        f"run: {running.service.name} stopped (exit {running.process.returncode});"
                        f" end of its log:\n{tail(running.log_path)}",
                        file=sys.stderr,
                    )
                    stopping = True
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    print("\nrun: stopping...")
    stack.stop()
    print("run: stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
