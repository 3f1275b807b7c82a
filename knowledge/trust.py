"""What makes an article trustworthy enough to be shown: official sources, and no figure the
sources do not show."""

from __future__ import annotations

import re
from typing import Iterable, List
from urllib.parse import urlparse

from knowledge.articles import Article

# Domains an article may cite or link to. Official bodies only: a member is never sent to a
# commercial site, and a figure is never taken from one.
OFFICIAL_DOMAINS = (
    "ameli.fr",
    "service-public.fr",
    "service-public.gouv.fr",
    "legifrance.gouv.fr",
    "gouv.fr",  # any ministry or State site (sante.gouv.fr, travail-emploi.gouv.fr, …)
    "monespacesante.fr",
    "cleiss.fr",
    "msa.fr",
    "urssaf.fr",
    "caf.fr",
    "francetravail.fr",
    "ars.sante.fr",
    "info-retraite.fr",
    "lassuranceretraite.fr",
    "vaccination-info-service.fr",
    "santepubliquefrance.fr",
    "has-sante.fr",
    "e-cancer.fr",
    "cancer.fr",  # the Institut national du cancer's site since e-cancer.fr
    "3114.fr",
    "tabac-info-service.fr",
    "applicartevitale.fr",
    "defenseurdesdroits.fr",
    "securite-sociale.fr",
    "mesdroitssociaux.gouv.fr",
)

_URL = re.compile(r"https?://|www\.", re.IGNORECASE)
# A figure: digits, with the spaces, dots and commas French writes inside numbers.
_FIGURE = re.compile(r"\d+(?:[ \u00a0\u202f.,]\d+)*")


def is_official(url: str) -> bool:
    parsed = urlparse(url)
    host = (parsed.hostname or "").lower()
    if parsed.scheme != "https" or not host:
        return False
    return any(host == d or host.endswith("." + d) for d in OFFICIAL_DOMAINS)


def figures(text: str) -> List[str]:
    """Each figure of a text as bare digits: « 1 234,56 € » → 123456, « 36 46 » → 3646."""
    return [re.sub(r"\D", "", m.group(0)) for m in _FIGURE.finditer(text)]


def unsupported_figures(article: Article) -> List[str]:
    """Figures of the answer (and title) that no quote of the article's sources contains."""
    quoted = " | ".join(q for s in article.sources for q in s.quotes)
    quoted_figures = set(figures(quoted))
    quoted_digits = re.sub(r"[ \u00a0\u202f]", "", quoted)
    missing = []
    for figure in figures(f"{article.title}\n{article.answer}"):
        if figure in quoted_figures or figure in quoted_digits:
            continue
        missing.append(figure)
    return list(dict.fromkeys(missing))


def trust_problems(article: Article) -> List[str]:
    problems = []
    if _URL.search(article.answer):
        problems.append("the answer holds a URL: put it in `link`")
    for url in [article.link, *(s.url for s in article.sources)]:
        if not is_official(url):
            problems.append(f"not an official https page: {url}")
    missing = unsupported_figures(article)
    if missing:
        problems.append(f"figures not found in any quote of the sources: {', '.join(missing)}")
    return problems


def all_trust_problems(articles: Iterable[Article]) -> List[str]:
    return [f"{a.path}: {p}" for a in articles for p in trust_problems(a)]
