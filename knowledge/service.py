"""The knowledge base as the action server and the evaluation use it: load, index, respond."""

from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path
from typing import Any, Dict, Optional, Sequence

from knowledge.articles import Article, load_articles
from knowledge.decide import (
    ANSWER,
    NO_ANSWER,
    THRESHOLDS,
    Outcome,
    Thresholds,
    decide,
    looks_like_follow_up,
)
from knowledge.index import KnowledgeIndex, WordVectors, default_vectors

logger = logging.getLogger(__name__)


SURE_OF_A_NEW_SUBJECT = 0.80


def _model_is_sure(intent_ranking: Optional[Sequence[Dict[str, Any]]]) -> bool:
    """The NLU model reads the message as a subject of its own (« quel temps fait-il ? » is
    out of scope, whatever was said before): it is not a follow-up."""
    ranking = [r for r in intent_ranking or [] if r.get("name") != "nlu_fallback"]
    return bool(ranking) and float(ranking[0].get("confidence") or 0) >= SURE_OF_A_NEW_SUBJECT


class Knowledge:
    """Today's articles, their index, and the decision for a message."""

    def __init__(
        self,
        articles: Sequence[Article],
        vectors: Optional[WordVectors] = None,
        thresholds: Thresholds = THRESHOLDS,
    ) -> None:
        self.articles = {a.id: a for a in articles}
        self.index = KnowledgeIndex(list(self.articles.values()), vectors)
        self.thresholds = thresholds

    @classmethod
    def load(
        cls,
        directory: Optional[Path] = None,
        today: Optional[dt.date] = None,
        vectors: Optional[WordVectors] = None,
        with_vectors: bool = True,
        thresholds: Thresholds = THRESHOLDS,
    ) -> "Knowledge":
        started = time.perf_counter()
        if vectors is None and with_vectors:
            vectors = default_vectors()
        knowledge = cls(load_articles(directory, today), vectors, thresholds)
        logger.info(
            "knowledge base: %d articles indexed in %.1f s",
            len(knowledge.articles),
            time.perf_counter() - started,
        )
        return knowledge

    def get(self, article_id: Optional[str]) -> Optional[Article]:
        return self.articles.get(article_id or "")

    def respond(
        self,
        text: str,
        intent_ranking: Optional[Sequence[Dict[str, Any]]] = None,
        last_article: Optional[str] = None,
        only_keys: Optional[Sequence[str]] = None,
    ) -> Outcome:
        """What to do with `text`: answer one article, offer two or three, or none.

        `last_article`, the subject the conversation was on, resolves follow-ups (« et pour
        ma fille ? »). `only_keys` limits the search to articles of these catalogue keys.
        """
        only = None
        if only_keys is not None:
            only = [a.id for a in self.articles.values() if a.catalogue_key in only_keys]
        outcome = decide(self.index.search(text, only=only), intent_ranking, self.thresholds)
        previous = self.get(last_article)
        if (
            previous is None
            or outcome.kind == ANSWER
            or not looks_like_follow_up(text)
            or _model_is_sure(intent_ranking)
        ):
            return outcome
        # Within the conversation's subject: first the message alone (« et pour le papa ? »
        # finds paternity among the family articles), else the message read with the
        # subject's title (« c'est long ? » about the European card).
        same_topic = [a.id for a in self.articles.values() if a.topic == previous.topic]
        if only is not None:
            same_topic = [i for i in same_topic if i in only]
        for query in (text, f"{text} {previous.title}"):
            contextual = decide(self.index.search(query, only=same_topic), None, self.thresholds)
            if contextual.kind != NO_ANSWER:
                return Outcome(contextual.kind, contextual.hits, contextual=True)
        return outcome
