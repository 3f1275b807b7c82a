"""Time expressions members use, resolved to date ranges with dateparser.

The `period` entity keeps the member's words (« en mars », « le mois dernier », « depuis le 3
janvier »); this turns them into the first and last day they cover, relative to today.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import NamedTuple, Optional

import dateparser

MONTHS = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
}  # fmt: skip


class Period(NamedTuple):
    start: date
    end: date
    words: str  # what the member wrote, to repeat it back


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c)).strip()


def _month_range(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _parse_day(text: str, today: date) -> Optional[date]:
    parsed = dateparser.parse(
        text,
        languages=["fr"],
        settings={
            "PREFER_DATES_FROM": "past",
            "RELATIVE_BASE": datetime(today.year, today.month, today.day),
            "DATE_ORDER": "DMY",
        },
    )
    return parsed.date() if parsed else None


def resolve_period(words: Optional[str], today: Optional[date] = None) -> Optional[Period]:
    """The dates a time expression covers, or None when it cannot be read."""
    if not words or not words.strip():
        return None
    today = today or date.today()
    plain = _plain(words)
    if plain.startswith("depuis"):
        start = _parse_day(plain[len("depuis") :].strip(), today)
        return Period(start, today, words) if start and start <= today else None
    if re.search(r"\bmois dernier\b", plain):
        last = today.replace(day=1) - timedelta(days=1)
        return Period(*_month_range(last.year, last.month), words)
    if re.search(r"\bce mois\b", plain):
        return Period(today.replace(day=1), today, words)
    if re.search(r"\bannee derniere\b", plain):
        return Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31), words)
    if re.search(r"\bcette annee\b", plain):
        return Period(date(today.year, 1, 1), today, words)
    if re.search(r"\bsemaine derniere\b", plain):
        monday = today - timedelta(days=today.weekday() + 7)
        return Period(monday, monday + timedelta(days=6), words)
    if re.search(r"\bcette semaine\b", plain):
        return Period(today - timedelta(days=today.weekday()), today, words)
    # « en mars », « mars 2026 »: the whole month, this year or the last one already passed.
    month_only = re.fullmatch(
        r"(?:en|de|d'|du mois de|au mois de|pour)?\s*([a-z]+)\s*(\d{4})?", plain
    )
    if month_only and month_only.group(1) in MONTHS:
        month = MONTHS[month_only.group(1)]
        year = int(month_only.group(2)) if month_only.group(2) else today.year
        if not month_only.group(2) and month > today.month:
            year -= 1
        return Period(*_month_range(year, month), words)
    if plain.startswith("il y a"):
        start = _parse_day(plain, today)
        return Period(start, today, words) if start else None
    # A single day: « le 12 mars », « du 12/02 », « hier ».
    single = _parse_day(re.sub(r"^(?:le|du|au)\s+", "", plain), today)
    return Period(single, single, words) if single and single <= today else None
