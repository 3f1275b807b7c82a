"""The install step: idempotent, and one clear sentence when Python 3.10 is missing."""

from __future__ import annotations

import shutil
import subprocess

from tests.conftest import ROOT


def test_a_second_install_finds_everything_in_place():
    result = subprocess.run(
        ["bash", "scripts/install.sh"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout


def test_without_python_310_the_install_says_what_is_missing(tmp_path):
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "install.sh", tmp_path / "scripts" / "install.sh")
    for name in ("requirements.txt", "constraints.txt"):
        shutil.copy(ROOT / name, tmp_path / name)
    bare_path = tmp_path / "bin"
    bare_path.mkdir()
    for tool in ("bash", "cat", "sha256sum", "cut", "grep", "sort", "tail", "dirname"):
        (bare_path / tool).symlink_to(shutil.which(tool))
    result = subprocess.run(
        ["bash", "scripts/install.sh"],
        cwd=tmp_path,
        env={"PATH": str(bare_path), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Python 3.10 is missing" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / ".venv").exists()
