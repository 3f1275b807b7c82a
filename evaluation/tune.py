"""Chooses the knowledge search's thresholds on the development half of the real questions,
and cross-validates the choice by source (tune on some sites, measure on the others).

    python -m evaluation.tune [--folds 5]

Nothing here is trained on the real questions: they only choose a handful of numbers
(knowledge/decide.py), which the test half then measures once. The report goes to
benchmarks/knowledge_tuning.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import statistics
import sys
from dataclasses import replace
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from evaluation.evaluate import figures, judge, quiet
from evaluation.real_questions import DEV, TEST, half_of, load
from evaluation.replay import Reader, chosen_model, reply_to
from knowledge.decide import THRESHOLDS, Thresholds
from knowledge.service import Knowledge

ROOT = Path(__file__).resolve().parent.parent
MAX_WRONG = 0.03
WRONG_COST = 3.0

GRID = {
    "answer": [0.55, 0.60, 0.65, 0.70, 0.80, 0.90],
    "margin": [0.04, 0.08, 0.15],
    "lead": [0.2, 0.3, 0.5],
    "clarify": [0.35, 0.40, 0.45, 0.50, 0.55],
    "intent_boost": [0.1, 0.2, 0.3],
    "out_of_scope_sure": [0.3, 0.5, 0.8],
}


def run(questions, parses, knowledge: Knowledge, t: Thresholds) -> Dict[str, float]:
    knowledge.thresholds = t
    scored = [judge(q, reply_to(p, knowledge)) for q, p in zip(questions, parses, strict=True)]
    return figures(scored)


def objective(f: Dict[str, float]) -> Tuple[float, ...]:
    """What a setting is worth to members: a right answer (a quarter more when given at once
    rather than after a choice), an out-of-scope question routed, and a wrong answer costing
    three right ones. Settings within the wrong-answer budget come first."""
    within = f["wrong_answer_rate"] <= MAX_WRONG
    worth = (
        f["right_rate"]
        + 0.25 * f["right_answer_rate"]
        + 0.5 * f["out_of_scope_handled"]
        - WRONG_COST * f["wrong_answer_rate"]
    )
    return (within, worth)


def grid() -> List[Thresholds]:
    settings = (
        dict(zip(GRID, values, strict=True)) for values in itertools.product(*GRID.values())
    )
    return [replace(THRESHOLDS, **s) for s in settings if s["clarify"] < s["answer"]]


def best(questions, parses, knowledge, candidates) -> Tuple[Thresholds, Dict[str, float]]:
    scored = [(run(questions, parses, knowledge, t), t) for t in candidates]
    result, chosen = max(scored, key=lambda item: objective(item[0]))
    return chosen, result


def main(argv: Optional[List[str]] = None) -> int:
    quiet()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "knowledge_tuning.md")
    args = parser.parse_args(argv)
    model = chosen_model(args.model, "tune")
    if model is None:
        return 2
    knowledge = Knowledge.load()
    memoize_search(knowledge)
    reader = Reader(model)
    every = load()
    texts = [q.text for q in every]
    parses = dict(zip(texts, reader.read(texts), strict=True))
    candidates = grid()
    dev = [q for q in every if q.half == DEV]
    chosen, dev_result = best(dev, [parses[q.text] for q in dev], knowledge, candidates)
    current = run(dev, [parses[q.text] for q in dev], knowledge, THRESHOLDS)
    test = [q for q in every if q.half == TEST]
    # Cross-validation by source: sites in k folds; tune on k-1, measure on the last.
    sites = sorted({q.site for q in every})
    fold_of = {
        site: i % args.folds for i, site in enumerate(sorted(sites, key=lambda s: hash_site(s)))
    }
    rows = []
    for fold in range(args.folds):
        train = [q for q in every if fold_of[q.site] != fold]
        held = [q for q in every if fold_of[q.site] == fold]
        t, _ = best(train, [parses[q.text] for q in train], knowledge, candidates)
        rows.append(run(held, [parses[q.text] for q in held], knowledge, t))
    lines = [
        "# Knowledge search: thresholds chosen on the development half",
        "",
        f"Run on {dt.date.today().isoformat()} with `.venv/bin/python -m evaluation.tune`"
        f" (model {model.name}, {len(knowledge.articles)} articles, {len(candidates)} settings).",
        "",
        f"Best on the development half ({len(dev)} questions), judged on the precise point: the"
        f" most right answers and routed out-of-scope questions, a wrong answer costing"
        f" {WRONG_COST:.0f} right ones (settings within {MAX_WRONG:.0%} wrong first, when any is):",
        f"`{chosen}`",
        "",
        "| figure | committed thresholds (dev) | best (dev) |",
        "|---|---|---|",
    ]
    lines += [
        f"| {k} | {current[k]:.1%} | {dev_result[k]:.1%} |"
        for k in dev_result
        if isinstance(dev_result[k], float)
    ]
    lines += [
        "",
        f"Cross-validation by source site ({args.folds} folds over all {len(sites)} sites,"
        " thresholds tuned on the other folds):",
        "",
        "| figure | mean | min | max |",
        "|---|---|---|---|",
    ]
    for key in ("right_rate", "right_answer_rate", "wrong_answer_rate", "out_of_scope_handled"):
        values = [r[key] for r in rows]
        lines.append(
            f"| {key} | {statistics.mean(values):.1%} | {min(values):.1%} | {max(values):.1%} |"
        )
    lines += ["", f"The test half ({len(test)} questions) is not used here: `make evaluate`."]
    args.out.write_text("\n".join(lines) + "\n", "utf-8")
    print("\n".join(lines))
    return 0


def memoize_search(knowledge: Knowledge) -> None:
    """The articles' scores do not depend on the thresholds: compute them once per message."""
    search = knowledge.index.search
    memo: Dict[tuple, list] = {}

    def remembered(text, limit=5, only=None):
        key = (text, limit, tuple(only) if only is not None else None)
        if key not in memo:
            memo[key] = search(text, limit=limit, only=only)
        return memo[key]

    knowledge.index.search = remembered  # type: ignore[method-assign]


def hash_site(site: str) -> str:
    return half_of(site) + site[::-1]


if __name__ == "__main__":
    sys.exit(main())
