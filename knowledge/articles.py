"""Articles as the editors write them (data/knowledge/<topic>/<id>.yml), read and checked."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple
from urllib.parse import urlparse

import yaml

DEFAULT_DIRECTORY = Path(__file__).resolve().parent.parent / "data" / "knowledge"
REQUIRED = ("id", "title", "catalogue_key", "questions", "answer", "link", "sources", "checked")
OPTIONAL = ("follow_up", "valid_from", "valid_until", "notes")
MIN_QUESTIONS = 8


class ArticleError(ValueError):
    """An article file that cannot be used, with the file and the reason."""


@dataclass(frozen=True)
class Source:
    url: str
    page_date: Optional[dt.date]
    quotes: Tuple[str, ...]


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    catalogue_key: str
    topic: str
    questions: Tuple[str, ...]
    answer: str
    link: str
    sources: Tuple[Source, ...]
    checked: dt.date
    valid_from: Optional[dt.date] = None
    valid_until: Optional[dt.date] = None
    follow_up: Optional[str] = None
    notes: str = ""
    path: str = field(default="", compare=False)

    def is_current(self, today: dt.date) -> bool:
        """Shown only between its dates: an expired rule is never told to a member."""
        if self.valid_until is not None and today > self.valid_until:
            return False
        return self.valid_from is None or today >= self.valid_from

    @property
    def site(self) -> str:
        """The site of the page shown to the member, as « Source : ameli.fr »."""
        host = urlparse(self.link).hostname or ""
        return host[4:] if host.startswith("www.") else host

    def metadata(self) -> Dict[str, Any]:
        """What every answer message carries in its `custom` field (README, « Réponses »)."""
        return {
            "answer": {
                "id": self.id,
                "catalogue_key": self.catalogue_key,
                "sources": [s.url for s in self.sources],
                "checked": self.checked.isoformat(),
                "link": self.link,
                "site": self.site,
            }
        }


def knowledge_directory() -> Path:
    """KNOWLEDGE_DIR, or the repository's data/knowledge."""
    configured = os.environ.get("KNOWLEDGE_DIR", "").strip()
    return Path(configured) if configured else DEFAULT_DIRECTORY


def _date(value: Any, name: str) -> Optional[dt.date]:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as error:
        raise ArticleError(f"{name} is not a date (YYYY-MM-DD): {value!r}") from error


def _text(data: Dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ArticleError(f"{name} must be a non-empty text")
    return value.strip()


def parse_article(data: Any, path: Path) -> Article:
    """One article from its YAML mapping; raises ArticleError naming what is wrong."""
    if not isinstance(data, dict):
        raise ArticleError("the file is not a mapping of fields")
    missing = [name for name in REQUIRED if name not in data]
    unknown = sorted(set(data) - set(REQUIRED) - set(OPTIONAL))
    if missing or unknown:
        raise ArticleError(f"missing fields {missing}, unknown fields {unknown}")
    article_id = _text(data, "id")
    if article_id != path.stem:
        raise ArticleError(f"id {article_id!r} differs from the file name {path.stem!r}")
    questions = data["questions"]
    if not isinstance(questions, list) or not all(
        isinstance(q, str) and q.strip() for q in questions
    ):
        raise ArticleError("questions must be a list of texts")
    if len(questions) < MIN_QUESTIONS:
        raise ArticleError(f"{len(questions)} questions, at least {MIN_QUESTIONS} are needed")
    sources = data["sources"]
    if not isinstance(sources, list) or not sources:
        raise ArticleError("an article needs at least one source")
    parsed_sources = []
    for source in sources:
        if not isinstance(source, dict) or not isinstance(source.get("url"), str):
            raise ArticleError(f"a source needs a url: {source!r}")
        quotes = source.get("quotes") or []
        if not isinstance(quotes, list) or not all(isinstance(q, str) for q in quotes):
            raise ArticleError(f"quotes of {source['url']} must be a list of texts")
        parsed_sources.append(
            Source(
                url=source["url"].strip(),
                page_date=_date(source.get("page_date"), "page_date"),
                quotes=tuple(q.strip() for q in quotes),
            )
        )
    checked = _date(data["checked"], "checked")
    assert checked is not None
    follow_up = data.get("follow_up")
    return Article(
        id=article_id,
        title=_text(data, "title"),
        catalogue_key=_text(data, "catalogue_key"),
        topic=path.parent.name,
        questions=tuple(q.strip() for q in questions),
        answer=_text(data, "answer"),
        link=_text(data, "link"),
        sources=tuple(parsed_sources),
        checked=checked,
        valid_from=_date(data.get("valid_from"), "valid_from"),
        valid_until=_date(data.get("valid_until"), "valid_until"),
        follow_up=str(follow_up) if follow_up else None,
        notes=str(data.get("notes") or ""),
        path=str(path),
    )


def article_files(directory: Optional[Path] = None) -> List[Path]:
    root = directory or knowledge_directory()
    return sorted(root.glob("*/*.yml"))


def read_articles(
    directory: Optional[Path] = None,
) -> Tuple[List[Article], List[Tuple[Path, str]]]:
    """Every article that can be read, and (file, reason) for every one that cannot."""
    articles: List[Article] = []
    problems: List[Tuple[Path, str]] = []
    for path in article_files(directory):
        try:
            with path.open(encoding="utf-8") as handle:
                articles.append(parse_article(yaml.safe_load(handle), path))
        except (ArticleError, yaml.YAMLError, UnicodeDecodeError) as error:
            problems.append((path, str(error)))
    return articles, problems


def load_articles(
    directory: Optional[Path] = None, today: Optional[dt.date] = None
) -> List[Article]:
    """The articles a member may be shown today. Unreadable files are left out (the checker,
    run in `make test`, fails on them) so that one bad edit never takes the answers down."""
    articles, _ = read_articles(directory)
    day = today or dt.date.today()
    return [a for a in articles if a.is_current(day)]


def by_id(articles: Iterable[Article]) -> Dict[str, Article]:
    return {a.id: a for a in articles}
