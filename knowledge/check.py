"""`make check-knowledge`: every article readable, sourced, dated, within its catalogue key,
and not a copy of another. Exits 1 on any problem, listing each with its file.

    python -m knowledge.check [--today YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from itertools import combinations
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer

from knowledge.articles import Article, read_articles
from knowledge.text import normalized
from knowledge.trust import all_trust_problems

CATALOGUE = Path(__file__).resolve().parent.parent / "tests" / "intent_catalogue.yml"
MAX_ANSWER_WORDS = 130  # « about 120 »: a short answer, steps as a list
MAX_TITLE_CHARS = 70
# Two questions of different articles this alike (character n-grams, cosine) are the same
# question: the search could not tell the articles apart on it.
SAME_QUESTION = 0.92
# Two articles whose questions are this alike on average are one article written twice.
SAME_ARTICLE = 0.80
_TUTOIEMENT = re.compile(r"\b(tu|toi|ton|ta|tes|t'as)\b", re.IGNORECASE)


def catalogue_keys() -> Tuple[set, set]:
    catalogue = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    every = {key for section in catalogue.values() for key in section}
    return every, set(catalogue["personal"])


def article_problems(article: Article, today: dt.date, keys: set, personal: set) -> List[str]:
    problems = []
    if article.catalogue_key not in keys:
        problems.append(f"catalogue_key {article.catalogue_key!r} is not in the catalogue")
    if article.follow_up and article.follow_up not in personal:
        problems.append(f"follow_up {article.follow_up!r} is not a personal catalogue key")
    words = len(article.answer.split())
    if words > MAX_ANSWER_WORDS:
        problems.append(f"the answer has {words} words (at most {MAX_ANSWER_WORDS})")
    if len(article.title) > MAX_TITLE_CHARS:
        problems.append(
            f"the title has {len(article.title)} characters (at most {MAX_TITLE_CHARS})"
        )
    if _TUTOIEMENT.search(article.answer):
        problems.append("the answer says « tu »: members are addressed as « vous »")
    if article.checked > today:
        problems.append(f"checked {article.checked} is in the future")
    for source in article.sources:
        if source.page_date and source.page_date > today:
            problems.append(f"page_date {source.page_date} of {source.url} is in the future")
    if article.valid_from and article.valid_until and article.valid_from > article.valid_until:
        problems.append("valid_from is after valid_until")
    folded = [normalized(q) for q in article.questions]
    if len(set(folded)) < len(folded):
        problems.append("two questions differ only by case, accents or punctuation")
    return problems


def duplicate_problems(articles: List[Article]) -> List[str]:
    """The same question in two articles, and two articles that are one."""
    problems = []
    owner: Dict[str, str] = {}
    for article in articles:
        for question in article.questions:
            key = normalized(question)
            if key in owner and owner[key] != article.id:
                problems.append(f"{article.path}: question « {question} » is also in {owner[key]}")
            owner.setdefault(key, article.id)
    texts = [(a.id, q) for a in articles for q in a.questions]
    if not texts:
        return problems
    model = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    matrix = model.fit_transform([normalized(q) for _, q in texts])
    similarity = (matrix @ matrix.T).toarray()
    ids = np.array([i for i, _ in texts])
    for row in range(len(texts)):
        for col in np.nonzero(similarity[row, row + 1 :] >= SAME_QUESTION)[0] + row + 1:
            if ids[row] != ids[col] and normalized(texts[row][1]) != normalized(texts[col][1]):
                problems.append(
                    f"near-duplicate questions: « {texts[row][1]} » ({ids[row]}) and "
                    f"« {texts[col][1]} » ({ids[col]})"
                )
    by_article: Dict[str, np.ndarray] = {a: np.nonzero(ids == a)[0] for a in dict.fromkeys(ids)}
    for first, second in combinations(by_article, 2):
        block = similarity[np.ix_(by_article[first], by_article[second])]
        alike = (block.max(axis=1).mean() + block.max(axis=0).mean()) / 2
        if alike >= SAME_ARTICLE:
            problems.append(f"articles {first} and {second} ask the same questions ({alike:.2f})")
    return problems


def check(
    directory: Optional[Path] = None, today: Optional[dt.date] = None
) -> Tuple[List[str], List[str]]:
    """(problems, notices): problems fail the check; notices inform the content team."""
    day = today or dt.date.today()
    articles, unreadable = read_articles(directory)
    problems = [f"{path}: {reason}" for path, reason in unreadable]
    keys, personal = catalogue_keys()
    seen: Dict[str, str] = {}
    for article in articles:
        if article.id in seen:
            problems.append(f"{article.path}: id {article.id} is also {seen[article.id]}")
        seen[article.id] = article.path
        problems.extend(
            f"{article.path}: {p}" for p in article_problems(article, day, keys, personal)
        )
    problems.extend(all_trust_problems(articles))
    problems.extend(duplicate_problems(articles))
    notices = [
        f"{a.path}: expired on {a.valid_until}, no longer shown"
        for a in articles
        if a.valid_until and a.valid_until < day
    ]
    return problems, notices


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None)
    parser.add_argument("--directory", type=Path, default=None)
    args = parser.parse_args(argv)
    articles, _ = read_articles(args.directory)
    problems, notices = check(args.directory, args.today)
    for notice in notices:
        print(f"notice: {notice}")
    for problem in problems:
        print(f"problem: {problem}")
    counts = f"{len(articles)} articles, {len(problems)} problems, {len(notices)} notices"
    print(f"check-knowledge: {counts}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
