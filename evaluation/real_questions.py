"""The real-question set: evaluation/real_questions/raw/*.yml, as collected from public pages.

Each entry: text (verbatim), source (the page's URL), source_kind, scope (in/out), labels
(catalogue keys, or article ids, that answer it), asks (what is asked, for labelling), and
articles (the articles whose answer answers the precise point; labelled from the article texts
by a person who never saw the assistant's answers). The set
is split by source site: every question of a site falls in the same half, so that a site's
style or phrasing tuned on can never be tested on.

    python -m evaluation.real_questions          # counts per half, kind and label
"""

from __future__ import annotations

import hashlib
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple
from urllib.parse import urlparse

import yaml

from knowledge.text import normalized

RAW = Path(__file__).resolve().parent / "real_questions" / "raw"
DEV, TEST = "dev", "test"
KINDS = ("forum", "press", "qa_page", "faq_title", "search_query")


@dataclass(frozen=True)
class RealQuestion:
    text: str
    source: str
    source_kind: str
    scope: str  # "in" or "out"
    labels: Tuple[str, ...]
    asks: str
    batch: str
    articles: Tuple[str, ...] = ()  # the articles whose answer answers the precise point

    @property
    def site(self) -> str:
        host = (urlparse(self.source).hostname or self.source).lower()
        return host[4:] if host.startswith("www.") else host

    @property
    def half(self) -> str:
        return half_of(self.site)

    @property
    def in_scope(self) -> bool:
        return self.scope == "in"


def half_of(site: str) -> str:
    """A stable coin toss per site: the same site always falls in the same half."""
    digest = hashlib.sha256(site.encode("utf-8")).digest()
    return DEV if digest[0] % 2 == 0 else TEST


def read_batch(path: Path) -> List[RealQuestion]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    questions = []
    for entry in entries:
        labels = entry.get("labels") or []
        questions.append(
            RealQuestion(
                text=str(entry["text"]).strip(),
                source=str(entry["source"]).strip(),
                source_kind=str(entry.get("source_kind", "")).strip(),
                scope=str(entry.get("scope", "in")).strip(),
                labels=tuple(str(label) for label in labels),
                asks=str(entry.get("asks") or ""),
                batch=path.stem,
                articles=tuple(str(a) for a in entry.get("articles") or []),
            )
        )
    return questions


def load(half: Optional[str] = None, directory: Path = RAW) -> List[RealQuestion]:
    """Every real question (once: the first of identical texts is kept), or one half."""
    seen = set()
    questions = []
    for path in sorted(directory.glob("*.yml")):
        for question in read_batch(path):
            key = normalized(question.text)
            if not key or key in seen:
                continue
            seen.add(key)
            questions.append(question)
    return [q for q in questions if half is None or q.half == half]


def summary(questions: List[RealQuestion]) -> Dict[str, object]:
    return {
        "messages": len(questions),
        "in_scope": sum(q.in_scope for q in questions),
        "out_of_scope": sum(not q.in_scope for q in questions),
        "sources": len({q.source for q in questions}),
        "sites": len({q.site for q in questions}),
        "kinds": dict(Counter(q.source_kind for q in questions).most_common()),
    }


def main() -> int:
    every = load()
    for name, questions in (("all", every), (DEV, load(DEV)), (TEST, load(TEST))):
        print(f"{name}: {summary(questions)}")
    labels = Counter(label for q in every for label in q.labels)
    print("labels:", dict(labels.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
