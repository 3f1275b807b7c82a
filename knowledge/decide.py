"""Answer, clarify or say « I do not know »: the three outcomes of a knowledge search.

Never a confident wrong answer: a wrong answer costs a member more than a clarifying question,
so an article is given alone only when its score is high AND clearly ahead of the next one.
The thresholds were chosen on the development half of the real questions
(`python -m evaluation.tune`, results in benchmarks/knowledge_tuning.md); the tests of the
mechanism use their own (tests/knowledge/conftest.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Dict, List, Optional, Sequence

from knowledge.index import Hit
from knowledge.subjects import leading_subject, subject_of
from knowledge.text import fold, terms

ANSWER = "answer"
CLARIFY = "clarify"
NO_ANSWER = "no_answer"


@dataclass(frozen=True)
class Thresholds:
    """Chosen on the development half of the real questions, judged on the precise point, a
    wrong answer costing three right ones (benchmarks/knowledge_tuning.md): an article is given
    alone only when a member's words are very close to its own, otherwise two or three close
    articles are offered."""

    answer: float = 0.90  # the best article's score needed to answer it alone...
    margin: float = 0.15  # ...with this lead over the next article
    lead: float = 0.50  # or, above `clarify`, with this lead: nothing else comes near
    clarify: float = 0.55  # below this, no article is close: say so and route
    window: float = 0.12  # articles offered together are within this of the best
    intent_boost: float = 0.10  # added to articles of the catalogue key the NLU model is sure of
    intent_confidence: float = 0.60  # "sure of": at least this confidence
    subject_boost: float = 0.05  # added to articles of the subject the model's leaders share
    max_offers: int = 3
    # The NLU model's first guess (its fallback aside) is out_of_scope at this confidence: no
    # choice of articles is offered (an article still answers when it clearly does).
    out_of_scope_sure: float = 0.30


THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class Outcome:
    kind: str
    hits: List[Hit] = field(default_factory=list)
    contextual: bool = False  # resolved against the conversation's last subject

    @property
    def article(self):
        return self.hits[0].article if self.hits else None

    @property
    def score(self) -> float:
        return self.hits[0].score if self.hits else 0.0


def boosted(
    hits: Sequence[Hit], intent_ranking: Optional[Sequence[Dict[str, Any]]], t: Thresholds
) -> List[Hit]:
    """Hits re-scored with what the NLU model is sure of (its catalogue key), best first."""
    sure = {
        str(r.get("name")): float(r.get("confidence") or 0.0)
        for r in (intent_ranking or [])
        if float(r.get("confidence") or 0.0) >= t.intent_confidence
    }
    subject = leading_subject(intent_ranking, t.intent_confidence)

    def boost(hit: Hit) -> float:
        key = hit.article.catalogue_key
        return t.intent_boost * sure.get(key, 0.0) + (
            t.subject_boost if subject is not None and subject_of(key) == subject else 0.0
        )

    rescored = [replace(h, score=h.score + boost(h)) for h in hits]
    return sorted(rescored, key=lambda h: -h.score)


def decide(
    hits: Sequence[Hit],
    intent_ranking: Optional[Sequence[Dict[str, Any]]] = None,
    t: Thresholds = THRESHOLDS,
) -> Outcome:
    ranked = boosted(hits, intent_ranking, t)
    if not ranked or ranked[0].score < t.clarify:
        return Outcome(NO_ANSWER, ranked[:1])
    best = ranked[0]
    second = ranked[1].score if len(ranked) > 1 else 0.0
    if (best.score >= t.answer and best.score - second >= t.margin) or (
        best.score - second >= t.lead
    ):
        return Outcome(ANSWER, [best])
    offers = [h for h in ranked if h.score >= max(t.clarify, best.score - t.window)]
    return Outcome(CLARIFY, offers[: t.max_offers])


_FOLLOW_UP_START = re.compile(r"^(et|mais|alors|ok|d accord|donc|aussi)\b")
_FOLLOW_UP_WORDS = {"ca", "cela", "ce", "c", "il", "elle", "lui", "la", "le", "y", "en"}


def looks_like_follow_up(text: str) -> bool:
    """« et pour ma fille ? », « c'est long ? », « il faut envoyer quoi ? »: a short message
    that leans on what was just said."""
    folded = fold(text)
    if not folded:
        return False
    meaningful = terms(text)
    if _FOLLOW_UP_START.match(folded) and len(meaningful) <= 5:
        return True
    return len(meaningful) <= 2 and bool(set(folded.split()) & _FOLLOW_UP_WORDS)
