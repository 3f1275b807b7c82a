"""Trains the model only when config.yml, domain.yml or data/ changed since the last one.

The model is named after a hash of those files (models/assurbot-<hash>.tar.gz), so "is the
model up to date?" is a file lookup. `python -m assurbot.train --print-path` prints the path
of the current files' model (whether or not it exists) and exits.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
KEEP = 3  # older models are deleted beyond this many


def training_files() -> list[Path]:
    files = [ROOT / "config.yml", ROOT / "domain.yml"]
    files += sorted(
        p for p in (ROOT / "data").rglob("*") if p.is_file() and p.suffix in {".yml", ".yaml"}
    )
    return files


def data_hash() -> str:
    digest = hashlib.sha256()
    for path in training_files():
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def model_path() -> Path:
    return MODELS / f"assurbot-{data_hash()}.tar.gz"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--print-path", action="store_true")
    args = parser.parse_args()
    target = model_path()
    if args.print_path:
        print(target)
        return 0
    if target.exists():
        print(f"train: the model is up to date ({target.relative_to(ROOT)}).")
        return 0
    print(f"train: config, domain or data changed; training {target.name} (a few minutes)...")
    started = time.monotonic()
    command = [
        str(Path(sys.executable).parent / "rasa"),
        "train",
        "--config",
        "config.yml",
        "--domain",
        "domain.yml",
        "--data",
        "data",
        "--out",
        str(MODELS),
        "--fixed-model-name",
        target.name[: -len(".tar.gz")],
    ]
    result = subprocess.run(command, cwd=ROOT)
    if result.returncode != 0 or not target.exists():
        print("train: training failed (see above).", file=sys.stderr)
        return 1
    print(f"train: trained {target.relative_to(ROOT)} in {time.monotonic() - started:.0f} s.")
    old = sorted(MODELS.glob("assurbot-*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in old[KEEP:]:
        stale.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
