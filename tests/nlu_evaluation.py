"""Evaluates the trained model on the held-out set (tests/test_nlu.yml), with numeric gates.

    python -m tests.nlu_evaluation --model models/assurbot-<hash>.tar.gz --out results/nlu

Writes report.json and report.md (per intent), prints the figures, and exits non-zero when a
gate fails:
- weighted F1 >= 0.90 over the held-out set;
- F1 >= 0.75 for every catalogue key;
- out-of-scope messages answered as out of scope or by the fallback >= 85 %.
The answer rate is the share of in-scope messages answered without the fallback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path
from typing import Any, Dict, List, Tuple

from sklearn.metrics import precision_recall_fscore_support

from tests.nlu_data import ROOT, load_intent_examples

GATES = {"weighted_f1": 0.90, "per_intent_f1": 0.75, "out_of_scope_handled": 0.85}
FALLBACK = "nlu_fallback"


def predicted_label(parse: Dict[str, Any]) -> str:
    return (parse.get("intent") or {}).get("name") or FALLBACK


def classifier_label(parse: Dict[str, Any]) -> str:
    """The classifier's own best intent, before the fallback threshold replaced it."""
    for ranked in parse.get("intent_ranking") or []:
        if ranked.get("name") and ranked["name"] != FALLBACK:
            return ranked["name"]
    return predicted_label(parse)


async def predict(model: str, messages: List[str]) -> List[Dict[str, Any]]:
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    return [await agent.parse_message(text) for text in messages]


def evaluate(pairs: List[Tuple[str, str]], catalogue: List[str]) -> Dict[str, Any]:
    truths = [t for t, _ in pairs]
    predictions = [p for _, p in pairs]
    labels = sorted(set(truths))
    precision, recall, f1, support = precision_recall_fscore_support(
        truths, predictions, labels=labels, zero_division=0
    )
    per_intent = {
        label: {
            "precision": round(float(p), 3),
            "recall": round(float(r), 3),
            "f1": round(float(f), 3),
            "support": int(s),
        }
        for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=False)
    }
    _, _, weighted_f1, _ = precision_recall_fscore_support(
        truths, predictions, labels=labels, average="weighted", zero_division=0
    )
    oos = [p for t, p in pairs if t == "out_of_scope"]
    in_scope = [(t, p) for t, p in pairs if t != "out_of_scope"]
    confusions: Dict[str, int] = {}
    for t, p in pairs:
        if t != p:
            key = f"{t} -> {p}"
            confusions[key] = confusions.get(key, 0) + 1
    return {
        "messages": len(pairs),
        "weighted_f1": round(float(weighted_f1), 4),
        "accuracy": round(sum(t == p for t, p in pairs) / len(pairs), 4),
        "answer_rate": round(sum(p != FALLBACK for _, p in in_scope) / len(in_scope), 4),
        "correct_answer_rate": round(sum(t == p for t, p in in_scope) / len(in_scope), 4),
        "out_of_scope_handled": round(
            sum(p in ("out_of_scope", FALLBACK) for p in oos) / max(1, len(oos)), 4
        ),
        "per_intent": per_intent,
        "weakest": sorted(
            ((k, v["f1"]) for k, v in per_intent.items() if k in catalogue), key=lambda x: x[1]
        )[:5],
        "top_confusions": sorted(confusions.items(), key=lambda kv: -kv[1])[:15],
    }


def gate_failures(report: Dict[str, Any], catalogue: List[str]) -> List[str]:
    failures = []
    if report["weighted_f1"] < GATES["weighted_f1"]:
        failures.append(f"weighted F1 {report['weighted_f1']:.3f} < {GATES['weighted_f1']}")
    for name in catalogue:
        f1 = report["per_intent"].get(name, {}).get("f1", 0.0)
        if f1 < GATES["per_intent_f1"]:
            failures.append(f"{name}: F1 {f1:.3f} < {GATES['per_intent_f1']}")
    if report["out_of_scope_handled"] < GATES["out_of_scope_handled"]:
        failures.append(
            f"out of scope handled {report['out_of_scope_handled']:.1%} "
            f"< {GATES['out_of_scope_handled']:.0%}"
        )
    return failures


def catalogue_names() -> List[str]:
    import yaml

    catalogue = yaml.safe_load((ROOT / "tests" / "intent_catalogue.yml").read_text())
    return [key for keys in catalogue.values() for key in keys]


def write_markdown(report: Dict[str, Any], path: Path) -> None:
    lines = [
        "# NLU evaluation on the held-out set (tests/test_nlu.yml)",
        "",
        f"- messages: {report['messages']}",
        f"- weighted F1: {report['weighted_f1']:.3f}",
        f"- accuracy: {report['accuracy']:.3f}",
        f"- answer rate (in-scope messages answered without fallback): {report['answer_rate']:.1%}",
        f"- correct answer rate (in scope): {report['correct_answer_rate']:.1%}",
        f"- out-of-scope messages answered as out of scope or fallback: "
        f"{report['out_of_scope_handled']:.1%}",
        "",
        "| intent | precision | recall | F1 | support |",
        "|---|---|---|---|---|",
    ]
    for name, m in sorted(report["per_intent"].items()):
        lines.append(
            f"| {name} | {m['precision']:.2f} | {m['recall']:.2f} "
            f"| {m['f1']:.2f} | {m['support']} |"
        )
    lines += ["", "Most frequent confusions (truth -> prediction):", ""]
    lines += [f"- {k}: {n}" for k, n in report["top_confusions"]]
    path.write_text("\n".join(lines) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True)
    parser.add_argument("--out", default="results/nlu")
    parser.add_argument("--data", default=str(ROOT / "tests" / "test_nlu.yml"))
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    import structlog  # Rasa 3.6 logs every parse through structlog at debug level

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))

    held_out = load_intent_examples([Path(args.data)])
    items = [(intent, text) for intent, texts in held_out.items() for text in texts]
    parses = asyncio.run(predict(args.model, [text for _, text in items]))
    labels = [predicted_label(parse) for parse in parses]
    pairs = [(intent, label) for (intent, _), label in zip(items, labels, strict=True)]
    catalogue = catalogue_names()
    report = evaluate(pairs, catalogue)
    # Understanding and answer policy apart: the classifier's F1 before the fallback, and the
    # share of messages answered with the wrong topic (what the fallback threshold prevents).
    raw = [
        (intent, classifier_label(parse)) for (intent, _), parse in zip(items, parses, strict=True)
    ]
    report["classifier_f1"] = evaluate(raw, catalogue)["weighted_f1"]
    report["wrong_answer_rate"] = round(
        sum(p not in (t, FALLBACK) for t, p in pairs) / len(pairs), 4
    )
    report["errors"] = [
        {"text": text, "truth": intent, "predicted": predicted_label(parse)}
        for (intent, text), parse in zip(items, parses, strict=False)
        if intent != predicted_label(parse)
    ]
    failures = gate_failures(report, catalogue)
    report["gates"] = GATES
    report["gate_failures"] = failures

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    write_markdown(report, out / "report.md")

    print(f"NLU held-out: {report['messages']} messages")
    print(f"  weighted F1           {report['weighted_f1']:.3f}  (gate >= {GATES['weighted_f1']})")
    print(f"  answer rate           {report['answer_rate']:.1%}  (in scope, without fallback)")
    print(f"  correct answer rate   {report['correct_answer_rate']:.1%}")
    print(f"  wrong answer rate     {report['wrong_answer_rate']:.1%}  (all messages)")
    print(f"  classifier F1         {report['classifier_f1']:.3f}  (before the fallback)")
    print(
        f"  out of scope handled  {report['out_of_scope_handled']:.1%}"
        f"  (gate >= {GATES['out_of_scope_handled']:.0%})"
    )
    print(f"  weakest intents       {report['weakest']}")
    print(f"  report: {out / 'report.md'}")
    if failures:
        print("NLU gates FAILED:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    print("NLU gates passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
