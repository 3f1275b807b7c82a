"""What the deploy tests share: the repository's variable names and the Compose v2 CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Dict, List

import pytest

from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"


def read_env_file(path: Path) -> Dict[str, str]:
    """KEY=value lines of an env file (comments and blank lines skipped)."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


@pytest.fixture(scope="session")
def env_example_keys() -> set:
    return set(read_env_file(ROOT / ".env.example"))


def _is_compose_v2(command: List[str]) -> bool:
    try:
        result = subprocess.run(
            [*command, "version"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError:
        return False
    return result.returncode == 0 and "version v2." in result.stdout


def find_compose() -> List[str]:
    """`docker compose`, else the CLI plugin run alone, else a v2 `docker-compose`: the same
    places scripts/ensure_compose.sh looks at."""
    plugin = Path(os.environ.get("DOCKER_CONFIG", Path.home() / ".docker"))
    candidates = []
    if shutil.which("docker"):
        candidates.append(["docker", "compose"])
    candidates.append([str(plugin / "cli-plugins" / "docker-compose")])
    if shutil.which("docker-compose"):
        candidates.append(["docker-compose"])
    for command in candidates:
        if _is_compose_v2(command):
            return command
    pytest.fail("no Docker Compose v2 CLI: run `bash scripts/ensure_compose.sh` (make test does)")


@pytest.fixture(scope="session")
def compose_cli() -> List[str]:
    return find_compose()
