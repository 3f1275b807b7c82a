"""What Assurbot answered to each message, read from the ``custom`` field of its bot events.

Every answer message carries in its event's ``data.custom`` what it was (README, « Réponses
lisibles par l'application »): ``{"answer": {"id": <article id or action name>, ...}}`` for an
answer, ``{"clarify": [ids]}`` for a choice of articles, ``{"answer": null}`` when the knowledge
base had none. The event store keeps that field as Rasa's broker hands it over.

A **turn** is one message of the member and the bot events that follow it, up to the next
message. A personal action marks each of its messages, so a turn counts an answer once
however many messages it took. Definitions used by `make report` and `make review`:

- a **general question** is a turn the knowledge base decided: an article given, a choice of
  articles offered (**clarification**), or no article found (**no answer**);
- a personal answer (an ``action_…`` id) is not a general question.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from analytics.metrics import SESSION_START_INTENT, local_date

ANSWER, CLARIFY, NO_ANSWER, PERSONAL = "answer", "clarify", "no_answer", "personal"
PERSONAL_PREFIX = "action_"  # personal answers carry their action's name as id


@dataclass
class Turn:
    sender_id: str
    timestamp: float  # of the member's message: with sender_id, it names the message
    text: str
    answers: List[str] = field(default_factory=list)  # article ids and action names, in order
    offered: List[str] = field(default_factory=list)  # article ids of a clarification
    no_answer: bool = False

    @property
    def articles(self) -> List[str]:
        return [i for i in self.answers if not i.startswith(PERSONAL_PREFIX)]

    @property
    def kind(self) -> Optional[str]:
        """What the member got, the most useful first: an article, a personal answer, a
        choice, nothing found; None when no message said (a plain response, a form)."""
        if self.articles:
            return ANSWER
        if self.answers:
            return PERSONAL
        if self.offered:
            return CLARIFY
        return NO_ANSWER if self.no_answer else None


def custom_of(event: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    data = event.get("data")
    custom = data.get("custom") if isinstance(data, dict) else None
    return custom if isinstance(custom, dict) else None


def turns(events: Iterable[Dict[str, Any]]) -> List[Turn]:
    """The turns of time-ordered events; bot events before any message are left out."""
    found: List[Turn] = []
    current: Dict[str, Turn] = {}
    for event in events:
        sender_id, kind = str(event.get("sender_id") or ""), event.get("event")
        if kind == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            text = " ".join(str(event.get("text") or "").split())
            if intent == SESSION_START_INTENT or text == "/session_start":
                continue
            turn = Turn(sender_id, float(event.get("timestamp") or 0.0), text)
            current[sender_id] = turn
            found.append(turn)
        elif kind == "bot" and sender_id in current:
            custom = custom_of(event)
            if custom is None:
                continue
            turn = current[sender_id]
            if "answer" in custom:
                answer = custom["answer"]
                if isinstance(answer, dict) and answer.get("id"):
                    if str(answer["id"]) not in turn.answers:
                        turn.answers.append(str(answer["id"]))
                elif answer is None:
                    turn.no_answer = True
            if isinstance(custom.get("clarify"), list):
                turn.offered = [str(i) for i in custom["clarify"]]
    return found


def by_message(found: Iterable[Turn]) -> Dict[Tuple[str, float], Turn]:
    return {(t.sender_id, t.timestamp): t for t in found}


def _rate(part: int, whole: int) -> Optional[float]:
    return part / whole if whole else None


@dataclass
class KnowledgeFigures:
    """General questions of a period and what the knowledge base did with them."""

    general: int = 0  # general questions: answered + clarified + unanswered
    answered: int = 0
    clarified: int = 0
    unanswered: int = 0
    personal: int = 0  # turns answered by a personal action
    articles: List[Tuple[str, int]] = field(default_factory=list)  # id, answers; most first
    actions: List[Tuple[str, int]] = field(default_factory=list)

    @property
    def answer_rate(self) -> Optional[float]:
        return _rate(self.answered, self.general)

    @property
    def clarification_rate(self) -> Optional[float]:
        return _rate(self.clarified, self.general)

    @property
    def no_answer_rate(self) -> Optional[float]:
        return _rate(self.unanswered, self.general)


def knowledge_figures(
    found: Sequence[Turn], start: Optional[date] = None, end: Optional[date] = None
) -> KnowledgeFigures:
    """The figures of the turns whose message falls within [start, end] (French days)."""
    figures = KnowledgeFigures()
    articles: Counter = Counter()
    actions: Counter = Counter()
    for turn in found:
        day = local_date(turn.timestamp)
        if (start and day < start) or (end and day > end):
            continue
        kind = turn.kind
        if kind == ANSWER:
            figures.answered += 1
            articles.update(turn.articles)
        elif kind == CLARIFY:
            figures.clarified += 1
        elif kind == NO_ANSWER:
            figures.unanswered += 1
        if kind == PERSONAL:
            figures.personal += 1
        actions.update(i for i in turn.answers if i.startswith(PERSONAL_PREFIX))
    figures.general = figures.answered + figures.clarified + figures.unanswered
    figures.articles = sorted(articles.items(), key=lambda kv: (-kv[1], kv[0]))
    figures.actions = sorted(actions.items(), key=lambda kv: (-kv[1], kv[0]))
    return figures
