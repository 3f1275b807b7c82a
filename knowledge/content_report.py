"""`make content-report`: what the editors should look at next in the knowledge base.

    python -m knowledge.content_report [--today YYYY-MM-DD] [--out results/content-report.md]

Writes, as Markdown for the editors (results/content-report.md), and summarises in the terminal:

- every article by the age of its check (``checked``), the oldest first: an answer checked
  long ago is the likeliest to have drifted from its sources;
- the articles about to change: ``valid_until`` within the next 60 days (the member will stop
  getting them), or ``valid_from`` still to come (written ahead, not shown yet);
- the articles already expired, that no member is shown any more;
- the files the loader cannot read (``make check-knowledge`` says why).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from knowledge.articles import Article, read_articles

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "results" / "content-report.md"
SOON_DAYS = 60


@dataclass
class ContentReport:
    today: dt.date
    by_age: List[Article]  # oldest check first
    ending: List[Article]  # valid_until within SOON_DAYS, soonest first
    starting: List[Article]  # valid_from still to come, soonest first
    expired: List[Article]  # valid_until passed: never shown, most recent first
    unreadable: List[Tuple[Path, str]] = field(default_factory=list)

    def age(self, article: Article) -> int:
        return (self.today - article.checked).days


def build(directory: Optional[Path] = None, today: Optional[dt.date] = None) -> ContentReport:
    day = today or dt.date.today()
    articles, unreadable = read_articles(directory)
    soon = day + dt.timedelta(days=SOON_DAYS)
    return ContentReport(
        today=day,
        by_age=sorted(articles, key=lambda a: (a.checked, a.topic, a.id)),
        ending=sorted(
            (a for a in articles if a.valid_until and day <= a.valid_until <= soon),
            key=lambda a: (a.valid_until, a.id),
        ),
        starting=sorted(
            (a for a in articles if a.valid_from and a.valid_from > day),
            key=lambda a: (a.valid_from, a.id),
        ),
        expired=sorted(
            (a for a in articles if a.valid_until and a.valid_until < day),
            key=lambda a: (a.valid_until, a.id),
            reverse=True,
        ),
        unreadable=unreadable,
    )


def _date(day: Optional[dt.date]) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _relative(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return path


def _table(header: Sequence[str], rows: List[Sequence[str]]) -> List[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def render(report: ContentReport) -> str:
    day = _date(report.today)
    lines = [
        f"# Base de connaissances : état au {day}",
        "",
        f"{len(report.by_age)} articles lus dans data/knowledge/. Produit par "
        f"`make content-report` (`python -m knowledge.content_report --today "
        f"{report.today.isoformat()}`).",
        "",
    ]
    if report.unreadable:
        lines += [
            f"**{len(report.unreadable)} fichiers illisibles**, jamais montrés aux membres : "
            "`make check-knowledge` dit pourquoi.",
            "",
            *(f"- `{_relative(str(path))}` : {reason}" for path, reason in report.unreadable),
            "",
        ]
    lines += [
        f"## À revoir bientôt : fin de validité d'ici {SOON_DAYS} jours ou début à venir",
        "",
    ]
    soon = [(a, "fin", a.valid_until) for a in report.ending]
    soon += [(a, "début", a.valid_from) for a in report.starting]
    if soon:
        lines += _table(
            ["Date", "Événement", "Article", "Titre", "Vérifié le", "Fichier"],
            [
                [
                    _date(when),
                    "n'est plus montré après" if what == "fin" else "montré à partir du",
                    f"`{a.id}`",
                    a.title,
                    _date(a.checked),
                    f"`{_relative(a.path)}`",
                ]
                for a, what, when in sorted(soon, key=lambda s: (s[2], s[0].id))
            ],
        )
    else:
        lines.append(f"Aucun article ne change de validité d'ici {SOON_DAYS} jours.")
    lines += [
        "",
        "Un article en fin de validité : écrivez celui qui le remplace (avec `valid_from`), ou "
        "prolongez `valid_until` après vérification sur les sources.",
        "",
        "## Expirés : plus montrés aux membres",
        "",
    ]
    if report.expired:
        lines += _table(
            ["Fin de validité", "Article", "Titre", "Fichier"],
            [
                [_date(a.valid_until), f"`{a.id}`", a.title, f"`{_relative(a.path)}`"]
                for a in report.expired
            ],
        )
        lines += ["", "À supprimer, ou à remettre à jour avec de nouvelles dates et sources."]
    else:
        lines.append("Aucun article expiré.")
    lines += [
        "",
        "## Tous les articles, de la vérification la plus ancienne à la plus récente",
        "",
        "Une réponse vérifiée il y a longtemps est la plus susceptible de ne plus suivre ses "
        "sources : relisez-la sur les pages citées, puis mettez `checked` à jour.",
        "",
    ]
    lines += _table(
        ["Vérifié le", "Il y a (jours)", "Article", "Titre", "Thème", "Validité"],
        [
            [
                _date(a.checked),
                str(report.age(a)),
                f"`{a.id}`",
                a.title,
                a.topic,
                _validity(a, report.today),
            ]
            for a in report.by_age
        ],
    )
    return "\n".join(lines) + "\n"


def _validity(article: Article, today: dt.date) -> str:
    if article.valid_until and article.valid_until < today:
        return f"expiré le {_date(article.valid_until)}"
    if article.valid_from and article.valid_from > today:
        return f"à partir du {_date(article.valid_from)}"
    if article.valid_until:
        return f"jusqu'au {_date(article.valid_until)}"
    return "—"


def summary(report: ContentReport, path: Path) -> List[str]:
    lines = [f"content-report: {len(report.by_age)} articles au {_date(report.today)}"]
    if report.by_age:
        oldest = report.by_age[0]
        ages = sorted(report.age(a) for a in report.by_age)
        lines.append(
            f"  vérification la plus ancienne : {_date(oldest.checked)} ({oldest.id}, il y a "
            f"{report.age(oldest)} jours) ; âge médian : {ages[len(ages) // 2]} jours"
        )
    lines += [
        f"  fin de validité d'ici {SOON_DAYS} jours : {len(report.ending)} ; "
        f"validité à venir : {len(report.starting)} ; expirés (plus montrés) : "
        f"{len(report.expired)}",
    ]
    if report.unreadable:
        lines.append(f"  fichiers illisibles : {len(report.unreadable)} (make check-knowledge)")
    lines.append(str(path.resolve()))
    return lines


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="État de la base de connaissances (Markdown).")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help="AAAA-MM-JJ")
    parser.add_argument("--directory", type=Path, default=None, help="dossier des articles")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="fichier Markdown écrit")
    args = parser.parse_args(argv)
    report = build(args.directory, args.today)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(report), encoding="utf-8")
    print("\n".join(summary(report, args.out)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
