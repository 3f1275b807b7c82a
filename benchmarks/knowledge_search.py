"""What the knowledge search costs the action server, per message and at start-up.

    .venv/bin/python -m benchmarks.knowledge_search [--out benchmarks/results]

Measures, on this machine: the index build at start-up (articles read, spaCy's vectors table
loaded), the resident memory it adds, and the time of one message's search and decision
(`Knowledge.respond`), median / p95 / max over every real question (never seen before by the
index: no cache exists). Part of `make bench`; the goal is at most 10 ms at the median.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path
from typing import List, Optional

import psutil

from evaluation.real_questions import load

ROOT = Path(__file__).resolve().parent.parent
GOAL_MEDIAN_MS = 10.0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    process = psutil.Process()
    before = process.memory_info().rss
    started = time.perf_counter()
    from knowledge.service import Knowledge

    knowledge = Knowledge.load()
    build_seconds = time.perf_counter() - started
    added_mb = (process.memory_info().rss - before) / 1e6
    texts = [q.text for q in load()]
    knowledge.respond("bonjour")  # first call: lazy parts of numpy and spaCy
    timings = []
    for _ in range(args.rounds):
        for text in texts:
            began = time.perf_counter()
            knowledge.respond(text)
            timings.append((time.perf_counter() - began) * 1000)
    timings.sort()
    result = {
        "date": dt.date.today().isoformat(),
        "articles": len(knowledge.articles),
        "messages": len(texts),
        "rounds": args.rounds,
        "build_seconds": round(build_seconds, 2),
        "added_rss_mb": round(added_mb, 1),
        "median_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(len(timings) * 0.95)], 2),
        "max_ms": round(timings[-1], 2),
        "goal_median_ms": GOAL_MEDIAN_MS,
    }
    result["goal_met"] = result["median_ms"] <= GOAL_MEDIAN_MS
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{result['date']}-knowledge-search.json"
    path.write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print(
        f"knowledge search: {result['articles']} articles indexed in {result['build_seconds']} s "
        f"(+{result['added_rss_mb']} MB); per message median {result['median_ms']} ms, "
        f"p95 {result['p95_ms']} ms, max {result['max_ms']} ms over {len(timings)} searches "
        f"(goal: median <= {GOAL_MEDIAN_MS:.0f} ms: {'met' if result['goal_met'] else 'NOT met'})"
    )
    print(f"written: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
