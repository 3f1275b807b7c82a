"""Replays a member's first message through what Assurbot decides, without the servers.

The NLU model (the trained Rasa model, loaded in-process) reads the message; then the same
code the action server runs decides: the rules send personal intents to their action (for a
visitor who is not logged in: the general article first, actions/personal.py), dialogue
intents to their response, and everything else to the knowledge action (actions/knowledge.py).
An integration test checks that the live REST webhook gives the same answers.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import yaml

from actions.knowledge import plan
from actions.personal import general_article
from assurbot.personal_data import mask
from knowledge.decide import ANSWER, CLARIFY
from knowledge.service import Knowledge

logger = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = yaml.safe_load((ROOT / "tests" / "intent_catalogue.yml").read_text(encoding="utf-8"))
PERSONAL = set(CATALOGUE["personal"])
DIALOGUE = set(CATALOGUE["dialogue"]) - {"out_of_scope"}

# What a reply is, for the evaluation.
ANSWERED = "answer"  # an article, a personal answer or a dialogue response
CLARIFIED = "clarify"  # two or three articles offered
NOT_ANSWERED = "no_answer"  # « je n'ai pas de réponse sûre », out of scope, rephrase


@dataclass
class Reply:
    kind: str
    keys: List[str] = field(default_factory=list)  # catalogue keys of what was given/offered
    articles: List[str] = field(default_factory=list)  # article ids given/offered
    intent: str = ""
    confidence: float = 0.0
    detail: str = ""  # the action's own kind: answer, clarify, no_answer, out_of_scope, …


def reply_to(parse: Dict[str, Any], knowledge: Knowledge) -> Reply:
    """What a visitor (not logged in) is answered for a first message the model read as `parse`."""
    intent = (parse.get("intent") or {}).get("name") or ""
    confidence = float((parse.get("intent") or {}).get("confidence") or 0.0)
    if intent in PERSONAL:
        article = general_article(parse, intent, knowledge)
        if article is not None:
            return Reply(
                ANSWERED, [article.catalogue_key], [article.id], intent, confidence, ANSWER
            )
        return Reply(ANSWERED, [intent], [], intent, confidence, "personal")
    if intent == "distress":
        # the emergency numbers, then an article only when one clearly answers
        decision = plan(knowledge, parse)
        if decision.kind == ANSWER:
            article = decision.articles[0]
            return Reply(
                ANSWERED, [intent, article.catalogue_key], [article.id], intent, confidence, ANSWER
            )
    if intent in DIALOGUE:
        return Reply(ANSWERED, [intent], [], intent, confidence, "dialogue")
    decision = plan(knowledge, parse)
    keys = [a.catalogue_key for a in decision.articles]
    ids = [a.id for a in decision.articles]
    if decision.kind == ANSWER:
        return Reply(ANSWERED, keys, ids, intent, confidence, ANSWER)
    if decision.kind == CLARIFY:
        return Reply(CLARIFIED, keys, ids, intent, confidence, CLARIFY)
    return Reply(NOT_ANSWERED, [], [], intent, confidence, decision.kind)


class Reader:
    """The trained NLU model, with a cache of its readings per model (tuning replays the same
    messages many times)."""

    def __init__(self, model: Path, cache_dir: Path = ROOT / "results" / "evaluation") -> None:
        self.model = model
        digest = hashlib.sha256(model.name.encode()).hexdigest()[:12]
        self._cache_path = cache_dir / f"parse-{digest}.json"
        self._cache: Dict[str, Dict[str, Any]] = {}
        if self._cache_path.exists():
            self._cache = json.loads(self._cache_path.read_text(encoding="utf-8"))
        self._agent = None

    def _load(self):
        from rasa.core.agent import Agent

        logger.info("loading %s", self.model)
        return Agent.load(str(self.model))

    def read(self, texts: Sequence[str]) -> List[Dict[str, Any]]:
        missing = [t for t in dict.fromkeys(texts) if mask(t)[0] not in self._cache]
        if missing:
            self._agent = self._agent or self._load()
            loop = asyncio.new_event_loop()
            try:
                for text in missing:
                    masked = mask(text)[0]
                    parsed = loop.run_until_complete(self._agent.parse_message(masked))
                    self._cache[masked] = {
                        "text": masked,
                        "intent": parsed.get("intent"),
                        "intent_ranking": parsed.get("intent_ranking", [])[:5],
                        "entities": [
                            {"entity": e.get("entity"), "value": e.get("value")}
                            for e in parsed.get("entities", [])
                        ],
                    }
            finally:
                loop.close()
            self._cache_path.parent.mkdir(parents=True, exist_ok=True)
            self._cache_path.write_text(json.dumps(self._cache, ensure_ascii=False), "utf-8")
        return [self._cache[mask(t)[0]] for t in texts]


def default_model() -> Optional[Path]:
    from assurbot.train import model_path

    path = model_path()
    return path if path.exists() else None


def chosen_model(given: Optional[Path], tool: str) -> Optional[Path]:
    """The model a command was given, else the current one; says so when there is none."""
    model = given or default_model()
    if model is None:
        import sys

        print(f"{tool}: no trained model; run `make train` first", file=sys.stderr)
    return model
