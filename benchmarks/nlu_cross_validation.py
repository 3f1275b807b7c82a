"""K-fold cross-validation of the NLU pipeline on the training data (issue: understanding).

    .venv/bin/python -m benchmarks.nlu_cross_validation --folds 3

Splits every intent's examples into K stratified folds (fixed seed), trains the NLU part of
config.yml on K-1 folds, evaluates on the last with the same code as the held-out gates
(tests/nlu_evaluation.py), and writes benchmarks/nlu_cross_validation.md. Rasa's own
`rasa test nlu --cross-validation` gives the same kind of figure but predicted at about
2 messages a second here (an hour for 3 folds); this takes about 3 minutes a fold.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import logging
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from statistics import mean
from typing import Dict, List

import yaml

from tests.nlu_data import ROOT, load_intent_examples, training_files
from tests.nlu_evaluation import catalogue_names, evaluate, predict, predicted_label

SEED = 2024


def non_example_items() -> List[dict]:
    """Lookup tables, synonyms and regexes: every fold trains with all of them."""
    items = []
    for path in training_files():
        for item in (yaml.safe_load(path.read_text()) or {}).get("nlu", []) or []:
            if "intent" not in item:
                items.append(item)
    return items


def annotated_examples() -> Dict[str, List[str]]:
    """Examples as written (annotations kept, so the entity extractors keep their tables)."""
    found: Dict[str, List[str]] = {}
    for path in training_files():
        for item in (yaml.safe_load(path.read_text()) or {}).get("nlu", []) or []:
            if "intent" in item:
                lines = [
                    line.strip()[2:].strip()
                    for line in item.get("examples", "").splitlines()
                    if line.strip().startswith("- ")
                ]
                found.setdefault(item["intent"], []).extend(lines)
    return found


def write_nlu(path: Path, examples: Dict[str, List[str]], extra: List[dict]) -> None:
    nlu = [
        {"intent": intent, "examples": "".join(f"- {t}\n" for t in texts)}
        for intent, texts in examples.items()
    ]
    path.write_text(yaml.safe_dump({"version": "3.1", "nlu": nlu + extra}, allow_unicode=True))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=3)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    rng = random.Random(SEED)
    examples = annotated_examples()
    plain = load_intent_examples(training_files())
    folds: List[Dict[str, List[int]]] = [dict() for _ in range(args.folds)]
    for intent, texts in examples.items():
        order = list(range(len(texts)))
        rng.shuffle(order)
        for k in range(args.folds):
            folds[k][intent] = order[k :: args.folds]
    extra = non_example_items()
    reports = []
    catalogue = catalogue_names()
    with tempfile.TemporaryDirectory() as work:
        for k in range(args.folds):
            train = {
                i: [t for j, t in enumerate(texts) if j not in set(folds[k][i])]
                for i, texts in examples.items()
            }
            train_file = Path(work) / f"train_{k}.yml"
            write_nlu(train_file, train, extra)
            name = f"cv_{k}"
            subprocess.run(
                [
                    str(Path(sys.executable).parent / "rasa"),
                    "train",
                    "nlu",
                    "--config",
                    str(ROOT / "config.yml"),
                    "--nlu",
                    str(train_file),
                    "--out",
                    work,
                    "--fixed-model-name",
                    name,
                ],
                check=True,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            tests = [(i, plain[i][j]) for i in examples for j in folds[k][i]]
            parses = asyncio.run(predict(str(Path(work) / f"{name}.tar.gz"), [t for _, t in tests]))
            pairs = [(i, predicted_label(p)) for (i, _), p in zip(tests, parses, strict=True)]
            reports.append(evaluate(pairs, catalogue))
            print(
                f"fold {k + 1}/{args.folds}: weighted F1 {reports[-1]['weighted_f1']:.3f}",
                flush=True,
            )
    intents = sorted(reports[0]["per_intent"])
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    lines = [
        "# NLU cross-validation on the training data",
        "",
        f"Command: `.venv/bin/python -m benchmarks.nlu_cross_validation --folds {args.folds}`",
        f"Run on {datetime.date.today().isoformat()}, commit {commit}, 2-core machine; "
        f"stratified folds, seed {SEED}; the NLU pipeline of config.yml.",
        "",
        "| figure | mean over folds | per fold |",
        "|---|---|---|",
    ]
    for key, label in (
        ("weighted_f1", "weighted F1"),
        ("accuracy", "accuracy"),
        ("answer_rate", "answer rate (in scope, no fallback)"),
        ("out_of_scope_handled", "out of scope handled"),
    ):
        values = [r[key] for r in reports]
        lines.append(
            f"| {label} | {mean(values):.3f} | " + ", ".join(f"{v:.3f}" for v in values) + " |"
        )
    lines += ["", "| intent | mean F1 |", "|---|---|"]
    lines += [f"| {i} | {mean(r['per_intent'][i]['f1'] for r in reports):.2f} |" for i in intents]
    (ROOT / "benchmarks" / "nlu_cross_validation.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines[:12]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
