"""deploy/*.Dockerfile without a Docker engine: base image, user, health check, files they copy,
the pins they install, the build context (.dockerignore) and the Rasa image's entry point."""

from __future__ import annotations

import ast
import http.server
import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import pytest

from tests.conftest import ROOT
from tests.deploy.conftest import DEPLOY

DOCKERFILES = sorted(DEPLOY.glob("*.Dockerfile"))
# The route each image's health check asks for.
HEALTH_PATHS = {
    "rasa": "/webhooks/rest/",
    "actions": "/health",
    "member_system": "/health",
    "web": "/health",
}

Instruction = Tuple[str, str]


def parse_dockerfile(path: Path) -> List[List[Instruction]]:
    """The stages of a Dockerfile, each a list of (INSTRUCTION, arguments)."""
    text = re.sub(r"\\\n(\s*#[^\n]*\n)*", " ", path.read_text())
    stages: List[List[Instruction]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, arguments = line.partition(" ")
        instruction = instruction.upper()
        if instruction == "FROM":
            stages.append([])
        assert stages, f"{path.name}: {instruction} before FROM"
        stages[-1].append((instruction, " ".join(arguments.split())))
    return stages


def stage_name(stage: List[Instruction]) -> str:
    words = stage[0][1].split()
    return words[2] if len(words) == 3 and words[1].upper() == "AS" else ""


def base_image(stages: List[List[Instruction]], index: int) -> str:
    """The image a stage starts from, following stages built on earlier ones."""
    names = {stage_name(s): i for i, s in enumerate(stages[:index]) if stage_name(s)}
    image = stages[index][0][1].split()[0]
    return base_image(stages, names[image]) if image in names else image


def final_stage(path: Path) -> List[Instruction]:
    return parse_dockerfile(path)[-1]


def everything(path: Path) -> List[Instruction]:
    return [i for stage in parse_dockerfile(path) for i in stage]


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> Dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            name, _, version = line.partition("==")
            found[normalize(name)] = version.strip()
    return found


def dockerignore_excludes(path: str) -> bool:
    """Whether .dockerignore keeps `path` out of the build context: the last matching
    pattern wins, `!` brings back, a pattern matching a folder covers what is inside."""
    patterns = []
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            negated = line.startswith("!")
            pattern = line.lstrip("!").strip("/")
            regex = re.escape(pattern).replace(r"\*\*/", "(.*/)?").replace(r"\*\*", ".*")
            regex = regex.replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
            patterns.append((negated, re.compile(regex + "$")))
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for negated, regex in patterns:
        if any(regex.match(prefix) for prefix in prefixes):
            excluded = not negated
    return excluded


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_the_image_is_python_310_slim(dockerfile):
    stages = parse_dockerfile(dockerfile)
    assert base_image(stages, len(stages) - 1) == "python:3.10-slim"
    for index in range(len(stages)):
        image = base_image(stages, index)
        assert image == "python:3.10-slim" or image.startswith("node:"), image


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_the_image_runs_as_a_user_that_is_not_root(dockerfile):
    users = [args for instruction, args in final_stage(dockerfile) if instruction == "USER"]
    assert users, "no USER: the container would run as root"
    assert users[-1].split(":")[0] not in ("root", "0")


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_the_image_checks_its_health_on_its_route(dockerfile):
    checks = [args for instruction, args in final_stage(dockerfile) if instruction == "HEALTHCHECK"]
    assert len(checks) == 1
    service = dockerfile.name.removesuffix(".Dockerfile")
    assert "deploy/healthcheck.py" in checks[0]
    assert f'"{HEALTH_PATHS[service]}"' in checks[0]


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_copied_files_exist_and_are_in_the_build_context(dockerfile):
    copies = [args for instruction, args in everything(dockerfile) if instruction == "COPY"]
    assert copies
    for args in copies:
        if args.startswith("--from="):
            continue
        *sources, _ = args.split()
        for source in sources:
            if "*" in source:  # optional files (models* on a fresh clone)
                continue
            assert (ROOT / source).exists(), f"{dockerfile.name}: {source} does not exist"
            assert not dockerignore_excludes(source.rstrip("/")), f".dockerignore drops {source}"


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_pip_installs_only_the_repository_pins(dockerfile):
    constraints, requirements = pins(ROOT / "constraints.txt"), pins(ROOT / "requirements.txt")
    install_script = (ROOT / "scripts" / "install.sh").read_text()
    installs = [
        command
        for instruction, args in everything(dockerfile)
        if instruction == "RUN"
        for command in args.split("&&")
        if "pip install" in command
    ]
    assert installs
    named = []
    for command in installs:
        words = command.split("pip install", 1)[1].split()
        if any("==" in word for word in words):
            # pip's own tools, at the versions scripts/install.sh uses
            assert all(f'"{word}"' in install_script for word in words), command
            continue
        assert "-c constraints.txt" in command, f"{command}: not held by constraints.txt"
        named += [w for i, w in enumerate(words) if not w.startswith("-") and words[i - 1] != "-c"]
    assert named
    for package in named:
        name = normalize(package)
        assert name in constraints, f"{package} is not pinned in constraints.txt"
        if name in requirements:
            assert requirements[name] == constraints[name], f"{package}: two different pins"


def test_the_rasa_image_carries_its_model_and_downloads_nothing():
    stages = parse_dockerfile(DEPLOY / "rasa.Dockerfile")
    model_stage = next(s for s in stages if stage_name(s) == "model")
    assert any("python -m assurbot.train" in args for i, args in model_stage if i == "RUN")
    final = stages[-1]
    assert ("COPY", "--from=model /model/ models/") in final
    entry = [args for instruction, args in final if instruction in ("ENTRYPOINT", "CMD")]
    assert entry == ['["deploy/rasa-run.sh"]']
    script = (DEPLOY / "rasa-run.sh").read_text()
    assert not re.search(r"https?://|\b(curl|wget|pip|train)\b", script)
    assert "--model models" in script


def final_env(path: Path) -> Dict[str, str]:
    """The variables the ENV instructions of the final stage set."""
    env = {}
    for instruction, args in final_stage(path):
        if instruction == "ENV":
            for pair in args.split():
                name, _, value = pair.partition("=")
                env[name] = value
    return env


def final_cmd(path: Path) -> List[str]:
    commands = [args for instruction, args in final_stage(path) if instruction == "CMD"]
    assert len(commands) == 1, f"{path.name}: one CMD"
    return json.loads(commands[0])


ACTIONS_COMMAND = ["python", "-m", "assurbot.action_server"]


def test_the_actions_image_runs_the_action_server_that_wants_a_key():
    dockerfile = DEPLOY / "actions.Dockerfile"
    # not `python -m rasa_sdk`: it has no authentication and allows every origin
    assert final_cmd(dockerfile) == ACTIONS_COMMAND
    # assurbot.action_server listens on 127.0.0.1 unless told otherwise
    assert final_env(dockerfile)["ACTION_SERVER_HOST"] == "0.0.0.0"
    # importing assurbot.action_server runs assurbot/__init__.py: it must not bring Rasa along
    package = ast.parse((ROOT / "assurbot" / "__init__.py").read_text())
    assert [type(node) for node in package.body] == [ast.Expr], "assurbot/__init__.py: a docstring"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Runs a module as `python -m` does, with Rasa missing as in the actions image (rasa-sdk is there).
WITHOUT_RASA = """
import importlib.abc, runpy, sys
class NoRasa(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "rasa":
            raise ModuleNotFoundError(f"No module named {name!r} (not in the actions image)")
sys.meta_path.insert(0, NoRasa())
runpy.run_module(sys.argv[1], run_name="__main__", alter_sys=True)
"""


@pytest.fixture
def actions_image(tmp_path: Path) -> Path:
    """/app of the actions image: what its COPY instructions copy, nothing else."""
    stage = final_stage(DEPLOY / "actions.Dockerfile")
    assert ("WORKDIR", "/app") in stage
    for instruction, args in stage:
        if instruction != "COPY":
            continue
        *sources, target = args.split()
        for source in sources:
            origin = ROOT / source
            if origin.is_dir():
                shutil.copytree(
                    origin,
                    tmp_path / target,
                    dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__"),
                )
            else:
                into = tmp_path / target
                into = into / origin.name if target.endswith("/") else into
                into.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(origin, into)
    return tmp_path


def start_actions(app: Path, key: str, port: int) -> subprocess.Popen:
    module = final_cmd(DEPLOY / "actions.Dockerfile")[2]
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(app),
        "PYTHONPATH": str(app),
        "ACTION_SERVER_HOST": "127.0.0.1",  # the image's 0.0.0.0, kept off the network here
        "ACTION_SERVER_PORT": str(port),
        "ACTION_SERVER_API_KEY": key,
    }
    return subprocess.Popen(
        [sys.executable, "-c", WITHOUT_RASA, module],
        cwd=app,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def status(url: str, headers: Dict[str, str]) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_actions_image_starts_without_rasa_and_answers_only_the_key(actions_image):
    refused = start_actions(actions_image, "", free_port())
    output, _ = refused.communicate(timeout=60)
    assert refused.returncode not in (0, None), output
    assert "ACTION_SERVER_API_KEY is empty" in output

    port = free_port()
    server = start_actions(actions_image, "k3y", port)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.communicate()[0]
            try:
                health = status(f"{base}/health", {})
                break
            except OSError:
                assert time.monotonic() < deadline, "the action server did not start"
                time.sleep(0.3)
        assert health == 200
        assert status(f"{base}/actions", {}) == 401
        assert status(f"{base}/actions", {"X-Action-Server-Key": "wrong"}) == 401
        assert status(f"{base}/actions", {"X-Action-Server-Key": "k3y"}) == 200
    finally:
        server.terminate()
        try:
            server.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate()


@pytest.mark.parametrize(
    "path",
    [
        ".git/HEAD",
        ".venv/bin/python",
        "var/log/rasa.log",
        "results/nlu/report.md",
        "node_modules/x/index.js",
        "web/node_modules/socket.io-client/package.json",
        "web/vendor/socket.io.min.js",
        ".env",
        "deploy/.env.compose",
        "models/.train.lock",
        "actions/__pycache__/dialogue.cpython-310.pyc",
    ],
)
def test_the_build_context_leaves_out(path):
    assert dockerignore_excludes(path)


@pytest.mark.parametrize(
    "path",
    [
        "models/assurbot-0123456789abcdef.tar.gz",
        "actions/dialogue.py",
        "deploy/healthcheck.py",
        ".env.example",
        "constraints.txt",
    ],
)
def test_the_build_context_keeps(path):
    assert not dockerignore_excludes(path)


@pytest.fixture
def rasa_entry(tmp_path: Path) -> Iterator[Path]:
    """deploy/rasa-run.sh as in the image, with a `rasa` that prints what it was given."""
    for name in ("deploy/rasa-run.sh", "scripts/env.sh", ".env.example"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "rasa"
    fake.write_text(
        '#!/bin/sh\nfor a in "$@"; do echo "arg:$a"; done\n'
        'echo "env:CONVERSATION_RETENTION_SECONDS=$CONVERSATION_RETENTION_SECONDS"\n'
    )
    fake.chmod(0o755)
    yield tmp_path


def run_entry(app: Path, env: Dict[str, str], *args: str) -> Tuple[List[str], List[str]]:
    path = f"{app / 'bin'}:{os.environ['PATH']}"
    result = subprocess.run(
        ["bash", str(app / "deploy" / "rasa-run.sh"), *args],
        cwd="/",
        env={"PATH": path, **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    lines = result.stdout.splitlines()
    return [x[4:] for x in lines if x.startswith("arg:")], [x[4:] for x in lines if x[:4] == "env:"]


def test_the_rasa_entry_point_opens_the_api_only_with_a_token(rasa_entry):
    args, env = run_entry(rasa_entry, {"RASA_HOST": "0.0.0.0", "RASA_PORT": "5005"})
    assert args == [
        "run",
        "--model",
        "models",
        "--endpoints",
        "endpoints.yml",
        "--credentials",
        "credentials.yml",
        "--port",
        "5005",
        "--interface",
        "0.0.0.0",
    ]
    # endpoints.yml's variables get .env.example's defaults, as with `make run`
    assert env == ["CONVERSATION_RETENTION_SECONDS=2592000"]
    args, _ = run_entry(
        rasa_entry, {"RASA_API_TOKEN": "s3cret", "CORS_ORIGINS": "*  https://www.example.org"}
    )
    assert args[-6:] == [
        "--cors",
        "*",
        "https://www.example.org",
        "--enable-api",
        "--auth-token",
        "s3cret",
    ]


def test_the_rasa_entry_point_passes_the_charts_arguments_unchanged(rasa_entry):
    args, _ = run_entry(rasa_entry, {}, "run", "--port", "5005", "--cors", "*")
    assert args == ["run", "--port", "5005", "--cors", "*"]


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.send_response(200 if self.path == "/health" else 503)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


def test_the_health_check_passes_on_200_only(monkeypatch):
    spec = importlib.util.spec_from_file_location("healthcheck", DEPLOY / "healthcheck.py")
    healthcheck = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(healthcheck)
    server = http.server.HTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = str(server.server_address[1])
        monkeypatch.setenv("SOME_PORT", port)
        assert healthcheck.main(["SOME_PORT", "1", "/health"]) == 0
        assert healthcheck.main(["SOME_PORT", "1", "/webhooks/rest/ready"]) == 1
        monkeypatch.delenv("SOME_PORT")
        assert healthcheck.main(["SOME_PORT", port, "/health"]) == 0  # the default port
    finally:
        server.shutdown()
        server.server_close()
    assert healthcheck.main(["SOME_PORT", port, "/health"]) == 1  # nothing listens
