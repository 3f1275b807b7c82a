"""The styles members write in, and their share in each intent's training examples.

    python -m evaluation.styles          # writes benchmarks/training_styles.md

A message may have several styles. Heuristics, on purpose simple and readable:
- query: 1 to 3 words, no question mark (« kiné remboursement »);
- search: 4 to 8 words, no question mark, no first person (« délai remboursement feuille de
  soins »);
- faq_title: a question, without « je / mon / ma / mes » (« Qui a droit à la C2S ? »);
- first_person: the member speaks of their own case (« mon arrêt sera payé combien ? »);
- situation: 20 words or more (a story, the question at the end or implied);
- colloquial: SMS spelling, missing accents or slang (« c koi la css », « jai perdu ma cart »).
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path
from typing import Dict, List

from analytics.nlu_files import load_intent_examples
from knowledge.text import fold

ROOT = Path(__file__).resolve().parent.parent
STYLES = ("query", "search", "faq_title", "first_person", "situation", "colloquial")
_FIRST_PERSON = re.compile(r"\b(je|j|mon|ma|mes|moi|me|m)\b")
_SMS = re.compile(r"\b(c|koi|pk|pq|jsuis|jai|chui|tjrs|tjs|bcp|svp|stp|cb|pr|ds|ya|dc|qd|mdr)\b")
# Words that carry an accent in correct French: written without it, the message is colloquial.
_ACCENTED = {
    "securite": "sécurité",
    "remboursement": None,
    "medecin": "médecin",
    "arret": "arrêt",
    "etranger": "étranger",
    "deja": "déjà",
    "recu": "reçu",
    "ete": "été",
    "indemnites": "indemnités",
    "journalieres": "journalières",
    "carte": None,
    "sante": "santé",
    "maternite": "maternité",
    "paternite": "paternité",
    "numero": "numéro",
    "delai": "délai",
}


def styles_of(text: str) -> List[str]:
    words = text.split()
    # « Mon espace santé » is the service's name, not the member speaking of themself
    folded = fold(text).replace("mon espace sante", "espace sante")
    question = text.strip().endswith("?")
    first_person = bool(_FIRST_PERSON.search(folded))
    found = []
    if len(words) <= 3 and not question:
        found.append("query")
    if 4 <= len(words) <= 8 and not question and not first_person:
        found.append("search")
    if question and not first_person:
        found.append("faq_title")
    if first_person:
        found.append("first_person")
    if len(words) >= 20:
        found.append("situation")
    lowered = text.lower()
    unaccented = any(
        accented and re.search(rf"\b{plain}\b", lowered) for plain, accented in _ACCENTED.items()
    )
    if _SMS.search(folded) or unaccented:
        found.append("colloquial")
    return found


def shares(examples: Dict[str, List[str]]) -> Dict[str, Dict[str, float]]:
    table = {}
    for intent, texts in sorted(examples.items()):
        counts = Counter(style for text in texts for style in styles_of(text))
        table[intent] = {s: counts[s] / max(1, len(texts)) for s in STYLES}
        table[intent]["examples"] = len(texts)
    return table


def main() -> int:
    examples = load_intent_examples(sorted((ROOT / "data" / "nlu").glob("*.yml")))
    table = shares(examples)
    lines = [
        "# Training examples by style, per intent",
        "",
        "`python -m evaluation.styles` (heuristics in `evaluation/styles.py`; a message may have",
        "several styles). A `tests/data` test requires every personal and faq intent to have",
        "short queries, FAQ-title questions and first-person messages.",
        "",
        "| intent | examples | " + " | ".join(STYLES) + " |",
        "|---|---|" + "---|" * len(STYLES),
    ]
    for intent, row in table.items():
        cells = " | ".join(f"{row[s]:.0%}" for s in STYLES)
        lines.append(f"| {intent} | {int(row['examples'])} | {cells} |")
    out = ROOT / "benchmarks" / "training_styles.md"
    out.write_text("\n".join(lines) + "\n", "utf-8")
    print(f"written: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
