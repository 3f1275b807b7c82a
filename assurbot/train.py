"""Trains the model only when config.yml, domain.yml or Rasa's data changed since the last one.

Rasa's data is data/ less data/knowledge/: the knowledge base is read by the action server at
start-up, so an article added or corrected never calls for training.

The model is named after a hash of those files (models/assurbot-<hash>.tar.gz), so "is the
model up to date?" is a file lookup. `python -m assurbot.train --print-path` prints the path
of the current files' model (whether or not it exists) and exits.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
KEEP = 3  # older models are deleted beyond this many


NOT_FOR_RASA = {"knowledge"}  # data/ folders Rasa does not train on


def rasa_data(root: Path = ROOT) -> list[Path]:
    """The folders of data/ Rasa trains on and validates (`--data`)."""
    return sorted(p for p in (root / "data").iterdir() if p.is_dir() and p.name not in NOT_FOR_RASA)


def training_files(config: Path = ROOT / "config.yml") -> list[Path]:
    files = [config, ROOT / "domain.yml"]
    files += sorted(
        p
        for folder in rasa_data()
        for p in folder.rglob("*")
        if p.is_file() and p.suffix in {".yml", ".yaml"}
    )
    return files


def data_hash(config: Path = ROOT / "config.yml") -> str:
    digest = hashlib.sha256()
    for path in training_files(config):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def model_path(config: Path = ROOT / "config.yml", name: str = "assurbot") -> Path:
    return MODELS / f"{name}-{data_hash(config)}.tar.gz"


def training_seconds(model: Path) -> float | None:
    """How long the model took to train, when this script trained it."""
    sidecar = model.with_name(model.name[: -len(".tar.gz")] + ".json")
    try:
        return float(json.loads(sidecar.read_text())["training_seconds"])
    except (OSError, ValueError, KeyError):
        return None


def ensure_model(config: Path = ROOT / "config.yml", name: str = "assurbot") -> int:
    """Trains the model of `config` unless it exists; 0 on success."""
    target = model_path(config, name)
    MODELS.mkdir(exist_ok=True)
    # Two `make` commands started together (a test run and `make run`) train once: the second
    # waits for the first and then finds the model.
    with open(MODELS / ".train.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.exists():
            print(f"train: the model is up to date ({target.relative_to(ROOT)}).")
            return 0
        return train(target, config)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--print-path", action="store_true")
    parser.add_argument("--print-data", action="store_true", help="Rasa's --data folders")
    args = parser.parse_args()
    target = model_path()
    if args.print_path:
        print(target)
        return 0
    if args.print_data:
        print(" ".join(str(p.relative_to(ROOT)) for p in rasa_data()))
        return 0
    return ensure_model()


def train(target: Path, config: Path = ROOT / "config.yml") -> int:
    print(f"train: config, domain or data changed; training {target.name} (a few minutes)...")
    started = time.monotonic()
    command = [
        str(Path(sys.executable).parent / "rasa"),
        "train",
        "--config",
        str(config),
        "--domain",
        "domain.yml",
        "--data",
        *(str(p.relative_to(ROOT)) for p in rasa_data()),
        "--out",
        str(MODELS),
        "--fixed-model-name",
        target.name[: -len(".tar.gz")],
    ]
    result = subprocess.run(command, cwd=ROOT)
    if result.returncode != 0 or not target.exists():
        print("train: training failed (see above).", file=sys.stderr)
        return 1
    seconds = time.monotonic() - started
    print(f"train: trained {target.relative_to(ROOT)} in {seconds:.0f} s.")
    sidecar = target.with_name(target.name[: -len(".tar.gz")] + ".json")
    sidecar.write_text(json.dumps({"training_seconds": round(seconds, 1)}))
    prefix = target.name.split("-")[0]
    old = sorted(MODELS.glob(f"{prefix}-*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in old[KEEP:]:
        stale.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
