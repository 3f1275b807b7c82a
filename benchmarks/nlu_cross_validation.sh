#!/usr/bin/env bash
# Cross-validation of the NLU pipeline on the training data (issue: understanding).
# Writes Rasa's reports to results/nlu_cv/ and a summary to benchmarks/nlu_cross_validation.md.
# Takes about 2 minutes per fold on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
FOLDS=${FOLDS:-3}
source scripts/env.sh
.venv/bin/rasa test nlu --nlu data --config config.yml --cross-validation --folds "$FOLDS" \
  --out results/nlu_cv
.venv/bin/python - "$FOLDS" <<'PY'
import json, sys, datetime, subprocess
folds = sys.argv[1]
report = json.load(open("results/nlu_cv/intent_report.json"))
rows = sorted((k, v) for k, v in report.items() if isinstance(v, dict) and "f1-score" in v
              and k not in ("micro avg", "macro avg", "weighted avg"))
weighted = report["weighted avg"]
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                        text=True).stdout.strip()
lines = [
    "# NLU cross-validation",
    "",
    f"Command: `FOLDS={folds} bash benchmarks/nlu_cross_validation.sh` "
    f"(runs `rasa test nlu --nlu data --config config.yml --cross-validation --folds {folds}`)",
    f"Run on {datetime.date.today().isoformat()}, commit {commit}, 2-core machine.",
    "",
    f"- weighted F1: {weighted['f1-score']:.3f}",
    f"- weighted precision: {weighted['precision']:.3f}",
    f"- weighted recall: {weighted['recall']:.3f}",
    f"- accuracy: {report.get('accuracy', float('nan')):.3f}",
    "",
    "| intent | precision | recall | F1 | support |",
    "|---|---|---|---|---|",
]
lines += [f"| {k} | {v['precision']:.2f} | {v['recall']:.2f} | {v['f1-score']:.2f} | "
          f"{v['support']} |" for k, v in rows]
open("benchmarks/nlu_cross_validation.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines[:10]))
PY
