"""`make report`: the insurer's figures for a period, as one HTML file with its charts.

    python -m analytics.report [--from 2026-11-01] [--to 2026-11-30] [--store URL] [--out DIR]

Reads the event store (``EVENT_STORE_URL``, SQLite in var/events.db by default), prints a
summary, and writes a self-contained HTML file (charts as inline SVG images, nothing fetched)
whose path is the last line printed. Default period: the last 30 days, today included.
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from analytics.answers import KnowledgeFigures, knowledge_figures, turns
from analytics.metrics import (
    ANSWER_RATE_TARGET,
    LOW_CONFIDENCE,
    OUT_OF_SCOPE_INTENT,
    TIMEZONE,
    Figures,
    Segment,
    compute,
    conversations,
    period_bounds,
)
from assurbot.event_store import EventStore
from knowledge.articles import read_articles

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "results" / "analytics"
DEFAULT_DAYS = 30
TOP_ARTICLES = 10

TOPIC_LABELS = {
    "reimbursement": "Remboursements",
    "daily_allowance": "Arrêt de travail et indemnités",
    "rights_certificate": "Attestation de droits",
    "vitale_card": "Carte Vitale",
    "care_cost": "Coût des soins",
    "gp": "Médecin traitant",
    "c2s": "Complémentaire santé solidaire",
    "ald": "Affection longue durée",
    "family": "Maternité, paternité, enfants",
    "abroad": "Soins à l'étranger",
    "account": "Compte ameli",
    "contact": "Contact et réclamations",
    "covid": "Covid",
    "prevention": "Prévention",
    "affiliation": "Affiliation",
    "work_accident": "Accident du travail, invalidité",
    OUT_OF_SCOPE_INTENT: "Hors sujet (autres organismes…)",
}

# Colours readable by colour-blind readers (Okabe-Ito), one meaning each across the charts.
BLUE, GREEN, ORANGE, RED, GREY = "#0072B2", "#009E73", "#E69F00", "#D55E00", "#999999"


# --- French number formatting -----------------------------------------------------------------
def number(value: Optional[float], digits: int = 1) -> str:
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n < 2 else many}"


def median(value: Optional[float]) -> str:
    return number(value, 0 if value is None or float(value).is_integer() else 1)


def percent(value: Optional[float], digits: int = 1) -> str:
    return "—" if value is None else f"{number(value * 100, digits)}\u00a0%"


def day_label(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def topic_label(topic: str) -> str:
    return TOPIC_LABELS.get(topic, topic)


# --- charts -----------------------------------------------------------------------------------
def _svg(draw: Callable[..., None], width: float = 7.5, height: float = 3.2) -> str:
    """A chart drawn by ``draw(ax)``, as a base64 SVG data URL."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context(
        # Text drawn as paths: the chart looks the same whatever fonts the reader has.
        {"svg.fonttype": "path", "svg.hashsalt": "assurbot", "font.size": 9, "axes.grid": False}
    ):
        figure, ax = plt.subplots(figsize=(width, height))
        try:
            draw(ax)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
            figure.tight_layout()
            buffer = io.StringIO()
            figure.savefig(buffer, format="svg", metadata={"Date": None})
        finally:
            plt.close(figure)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue().encode()).decode()


def chart_per_day(figures: Figures) -> str:
    def draw(ax) -> None:
        days = [d for d, _ in figures.per_day]
        ax.bar(range(len(days)), [n for _, n in figures.per_day], color=BLUE)
        step = max(1, len(days) // 10)
        ax.set_xticks(range(0, len(days), step))
        ax.set_xticklabels([d.strftime("%d/%m") for d in days[::step]])
        ax.set_ylabel("conversations")
        ax.yaxis.get_major_locator().set_params(integer=True)

    return _svg(draw)


def chart_lengths(figures: Figures) -> str:
    def draw(ax) -> None:
        lengths = figures.messages_per_conversation
        ax.bar(list(lengths), list(lengths.values()), color=BLUE)
        ax.set_xlabel("messages du membre dans la conversation")
        ax.set_ylabel("conversations")
        ax.set_xticks(list(lengths))
        ax.yaxis.get_major_locator().set_params(integer=True)

    return _svg(draw)


def chart_outcomes(segments: Sequence[Segment]) -> str:
    """Answered in scope / out of scope / not understood, in % of messages, per segment."""

    def draw(ax) -> None:
        labels = [s.label for s in segments]
        in_scope = [100 * (s.answered - s.out_of_scope) / s.messages for s in segments]
        out = [100 * s.out_of_scope / s.messages for s in segments]
        fallback = [100 * s.fallback / s.messages for s in segments]
        ax.barh(labels, in_scope, color=GREEN, label="répondu")
        ax.barh(labels, out, left=in_scope, color=ORANGE, label="hors sujet, réorienté")
        left = [a + b for a, b in zip(in_scope, out, strict=True)]
        ax.barh(labels, fallback, left=left, color=RED, label="non compris")
        ax.axvline(100 * ANSWER_RATE_TARGET, color="black", linestyle="--", linewidth=1)
        ax.set_xlim(0, 100)
        ax.set_xlabel("% des messages")
        ax.invert_yaxis()
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.02), ncol=3, frameon=False)

    return _svg(draw, height=1.4 + 0.45 * len(segments))


def chart_topics(topics: Sequence[Tuple[str, int]]) -> str:
    def draw(ax) -> None:
        shown = list(topics[:10])
        ax.barh([topic_label(t) for t, _ in shown], [n for _, n in shown], color=BLUE)
        ax.invert_yaxis()
        ax.set_xlabel("messages")
        ax.xaxis.get_major_locator().set_params(integer=True)

    return _svg(draw, height=1.0 + 0.3 * min(len(topics), 10))


def chart_satisfaction(segments: Sequence[Segment]) -> str:
    def draw(ax) -> None:
        rated = [s for s in segments if s.ratings]
        labels = [s.label for s in rated]
        ax.barh(labels, [s.thumbs_up for s in rated], color=GREEN, label="utile")
        ax.barh(
            labels,
            [s.thumbs_down for s in rated],
            left=[s.thumbs_up for s in rated],
            color=RED,
            label="pas utile",
        )
        ax.invert_yaxis()
        ax.set_xlabel("avis")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.02), ncol=2, frameon=False)

    return _svg(draw, height=1.4 + 0.45 * len(segments))


# --- HTML -------------------------------------------------------------------------------------
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;
max-width:64rem;padding:0 1rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2.2rem;
border-bottom:2px solid #0072B2;padding-bottom:.2rem}
.meta{color:#555;margin-top:0}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(13rem,1fr));gap:.8rem}
.card{border:1px solid #ccc;border-radius:.4rem;padding:.7rem .9rem}
.card .value{font-size:1.5rem;font-weight:600}.card .label{color:#444}
.card .note{font-size:.85rem;color:#555}.ok{color:#006b4f}.ko{color:#a33b00}
table{border-collapse:collapse;width:100%;margin:.6rem 0}th,td{padding:.3rem .5rem;
border-bottom:1px solid #ddd;text-align:right}th:first-child,td:first-child{text-align:left}
thead th{background:#f1f5f9}figure{margin:1rem 0}figcaption{color:#444;font-size:.9rem}
img{max-width:100%;height:auto}dt{font-weight:600;margin-top:.5rem}dd{margin-left:1rem}
code{background:#f1f5f9;padding:0 .2rem}
"""


def _card(label: str, value: str, note: str = "", status: str = "") -> str:
    css = f' class="value {status}"' if status else ' class="value"'
    return (
        f'<div class="card"><div class="label">{html.escape(label)}</div>'
        f"<div{css}>{html.escape(value)}</div>"
        + (f'<div class="note">{html.escape(note)}</div>' if note else "")
        + "</div>"
    )


def _figure(src: str, alt: str, caption: str) -> str:
    return (
        f'<figure><img src="{src}" alt="{html.escape(alt)}">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def _segment_table(title: str, segments: Sequence[Segment]) -> str:
    columns = [
        title,
        "Conversations",
        "Messages / conv.",
        "Taux de réponse",
        "Non compris",
        "Hors sujet",
        "Compréhension",
        "Conseiller",
        "Satisfaction (avis)",
    ]
    head = "".join(f"<th scope='col'>{html.escape(c)}</th>" for c in columns)
    rows = []
    for s in segments:
        cells = [
            number(s.conversations, 0),
            number(s.messages_per_conversation),
            percent(s.answer_rate),
            percent(s.fallback_rate),
            percent(s.out_of_scope_rate),
            percent(s.understanding_rate),
            percent(s.hand_off_rate),
            f"{percent(s.satisfaction)} ({number(s.ratings, 0)})",
        ]
        rows.append(
            f"<tr><th scope='row'>{html.escape(s.label)}</th>"
            + "".join(f"<td>{c}</td>" for c in cells)
            + "</tr>"
        )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _knowledge_section(knowledge: Optional[KnowledgeFigures], titles: Dict[str, str]) -> List[str]:
    """Answers of the knowledge base: which articles, how often it had to ask or had none."""
    parts = ["<h2>Base de connaissances</h2>"]
    if knowledge is None or not (knowledge.general or knowledge.personal):
        parts.append("<p>Aucune question générale sur la période.</p>")
        return parts
    parts += [
        "<div class='cards'>",
        _card(
            "Questions générales",
            number(knowledge.general, 0),
            f"{plural(knowledge.personal, 'réponse personnelle', 'réponses personnelles')} à côté",
        ),
        _card(
            "Répondues par un article",
            percent(knowledge.answer_rate),
            plural(knowledge.answered, "question", "questions"),
        ),
        _card(
            "Clarifications",
            percent(knowledge.clarification_rate),
            "choix de deux ou trois articles proposé",
        ),
        _card(
            "Sans réponse",
            percent(knowledge.no_answer_rate),
            "aucun article assez proche : à revoir (make review)",
        ),
        "</div>",
    ]
    if knowledge.articles:
        total = sum(n for _, n in knowledge.articles)
        rows = "".join(
            f"<tr><th scope='row'>{html.escape(titles.get(i, i))} <code>{html.escape(i)}</code>"
            f"</th><td>{n}</td><td>{percent(n / total)}</td></tr>"
            for i, n in knowledge.articles[:TOP_ARTICLES]
        )
        shown = min(TOP_ARTICLES, len(knowledge.articles))
        parts.append(
            f"<p>Les {shown} articles les plus donnés, sur {len(knowledge.articles)} "
            "articles donnés au moins une fois.</p>"
            "<table><thead><tr><th scope='col'>Article</th><th scope='col'>Réponses</th>"
            f"<th scope='col'>Part</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    return parts


def render_html(
    figures: Figures,
    source: str,
    generated: datetime,
    knowledge: Optional[KnowledgeFigures] = None,
    titles: Optional[Dict[str, str]] = None,
) -> str:
    total = figures.total
    period = f"du {day_label(figures.start)} au {day_label(figures.end)}"
    days = len(figures.per_day)
    title = f"Assurbot — activité {period}"
    parts: List[str] = [
        "<!DOCTYPE html>",
        '<html lang="fr"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="meta">Rapport produit le {generated.strftime("%d/%m/%Y à %H:%M")} '
        f"(heure de Paris) à partir de {html.escape(source)}. Commande : "
        f"<code>make report FROM={figures.start.isoformat()} TO={figures.end.isoformat()}"
        "</code>.</p>",
    ]
    if not total.conversations:
        parts.append(
            "<p><strong>Aucune conversation sur cette période.</strong> Lancez l'assistant "
            "(<code>make run</code>) et des conversations de démonstration "
            "(<code>make simulate</code>), ou choisissez une autre période.</p>"
        )
    answer_ok = total.answer_rate is not None and total.answer_rate > ANSWER_RATE_TARGET
    parts += [
        "<h2>Indicateurs</h2><div class='cards'>",
        _card(
            "Conversations",
            number(total.conversations, 0),
            f"{number(total.conversations / days)} par jour en moyenne",
        ),
        _card(
            "Messages par conversation",
            number(total.messages_per_conversation),
            f"médiane {median(figures.median_messages)} ; {number(total.messages, 0)} messages",
        ),
        _card(
            "Taux de réponse",
            percent(total.answer_rate),
            f"objectif : plus de {percent(ANSWER_RATE_TARGET, 0)}",
            ("ok" if answer_ok else "ko") if total.messages else "",
        ),
        _card("Non compris (fallback)", percent(total.fallback_rate), "des messages"),
        _card("Hors sujet, réorientés", percent(total.out_of_scope_rate), "des messages"),
        _card(
            "Compréhension",
            percent(total.understanding_rate),
            f"messages écrits compris avec une confiance ≥ {number(LOW_CONFIDENCE, 2)}",
        ),
        _card(
            "Mises en relation avec un conseiller",
            percent(total.hand_off_rate),
            plural(total.hand_offs, "conversation", "conversations"),
        ),
        _card(
            "Satisfaction",
            percent(total.satisfaction),
            f"{number(total.ratings, 0)} avis : "
            f"{plural(total.thumbs_up, 'positif', 'positifs')}, "
            f"{plural(total.thumbs_down, 'négatif', 'négatifs')}",
        ),
        "</div>",
    ]
    if total.conversations:
        parts += [
            "<h2>Fréquentation</h2>",
            _figure(
                chart_per_day(figures),
                "Histogramme du nombre de conversations par jour sur la période",
                f"Conversations par jour, {period} (datées de leur premier message).",
            ),
            _figure(
                chart_lengths(figures),
                "Histogramme du nombre de messages du membre par conversation",
                "Nombre de messages du membre par conversation.",
            ),
            "<h2>Réponses</h2>",
            _figure(
                chart_outcomes([total, *figures.by_channel]),
                "Barres empilées : part des messages répondus, hors sujet et non compris, "
                "au total et par canal, avec l'objectif de 95 %",
                "Part des messages répondus, réorientés (hors sujet) et non compris ; "
                "trait pointillé : objectif de taux de réponse.",
            ),
            "<h2>Thèmes les plus demandés</h2>",
        ]
        if figures.topics:
            topic_total = sum(n for _, n in figures.topics)
            parts.append(
                _figure(
                    chart_topics(figures.topics),
                    "Barres horizontales : nombre de messages par thème, les dix premiers",
                    "Messages répondus par thème (fichier data/nlu/<thème>.yml), hors "
                    "salutations et remerciements.",
                )
            )
            rows = "".join(
                f"<tr><th scope='row'>{html.escape(topic_label(t))} <code>{html.escape(t)}"
                f"</code></th><td>{n}</td><td>{percent(n / topic_total)}</td></tr>"
                for t, n in figures.topics
            )
            parts.append(
                "<table><thead><tr><th scope='col'>Thème</th><th scope='col'>Messages</th>"
                f"<th scope='col'>Part</th></tr></thead><tbody>{rows}</tbody></table>"
            )
        else:
            parts.append("<p>Aucun thème sur la période.</p>")
        parts += _knowledge_section(knowledge, titles or {})
        parts.append("<h2>Satisfaction</h2>")
        if total.ratings:
            parts.append(
                _figure(
                    chart_satisfaction([total, *figures.by_channel]),
                    "Barres empilées : avis positifs et négatifs, au total et par canal",
                    "Avis laissés avec les pouces sous les réponses (site web).",
                )
            )
        else:
            parts.append("<p>Aucun avis sur la période.</p>")
        parts += [
            "<h2>Par canal</h2>",
            _segment_table("Canal", figures.by_channel),
            "<h2>Par parcours</h2>",
            "<p>Page d'où le chat a été ouvert (<code>journey</code>), puis connexion du "
            "membre à son compte.</p>",
            _segment_table("Page d'entrée", figures.by_journey),
            _segment_table("Connexion", figures.by_connection),
        ]
    parts += [
        "<h2>Définitions</h2><dl>",
        "<dt>Conversation</dt><dd>Une session d'un identifiant de conversation (une heure "
        "d'inactivité en ouvre une nouvelle) contenant au moins un message du membre.</dd>",
        "<dt>Message</dt><dd>Texte écrit ou bouton choisi par le membre ; l'ouverture du chat "
        "(<code>/session_start</code>) n'en est pas un.</dd>",
        "<dt>Taux de réponse</dt><dd>Messages auxquels l'assistant a répondu sans passer par "
        "l'incompréhension (intention <code>nlu_fallback</code> ou actions de fallback), sur "
        "l'ensemble des messages. Une réorientation hors sujet est une réponse.</dd>",
        "<dt>Compréhension</dt><dd>Messages écrits répondus avec une confiance d'au moins "
        f"{number(LOW_CONFIDENCE, 2)} ; les autres partent en revue (<code>make review</code>)."
        "</dd>",
        "<dt>Question générale</dt><dd>Message auquel la base de connaissances a répondu "
        "par un article, par un choix de deux ou trois articles (clarification), ou faute "
        "d'article assez proche (sans réponse) ; lu dans le champ <code>custom</code> des "
        "réponses. Les réponses personnelles (<code>action_…</code>) n'en sont pas.</dd>",
        "<dt>Conseiller</dt><dd>Conversations où l'assistant a passé la main à un conseiller "
        "(<code>action_hand_off_to_adviser</code>).</dd>",
        "<dt>Satisfaction</dt><dd>Pouces levés sur l'ensemble des avis (pouces levés et "
        "baissés) laissés sur le site.</dd>",
        "</dl>",
        f"<p>Étape suivante : <code>make review FROM={figures.start.isoformat()} "
        f"TO={figures.end.isoformat()}</code> exporte les messages non compris de la période "
        "pour l'équipe.</p>",
        "</body></html>",
    ]
    return "\n".join(parts)


def summary(
    figures: Figures,
    knowledge: Optional[KnowledgeFigures] = None,
    titles: Optional[Dict[str, str]] = None,
) -> List[str]:
    total = figures.total
    days = len(figures.per_day)

    def segments(items: Sequence[Segment]) -> str:
        return " ; ".join(
            f"{s.label} {s.conversations} conv. (réponse {percent(s.answer_rate)})" for s in items
        )

    lines = [
        f"Assurbot — du {day_label(figures.start)} au {day_label(figures.end)} (heure de Paris)",
        f"  Conversations             : {total.conversations} "
        f"({number(total.conversations / days)} par jour)",
        f"  Messages par conversation : {number(total.messages_per_conversation)} "
        f"(médiane {median(figures.median_messages)}, {total.messages} messages)",
        f"  Taux de réponse           : {percent(total.answer_rate)} "
        f"(objectif : plus de {percent(ANSWER_RATE_TARGET, 0)})",
        f"  Non compris (fallback)    : {percent(total.fallback_rate)}",
        f"  Hors sujet, réorientés    : {percent(total.out_of_scope_rate)}",
        f"  Compréhension             : {percent(total.understanding_rate)} "
        f"(confiance ≥ {number(LOW_CONFIDENCE, 2)})",
        f"  Conseiller                : {percent(total.hand_off_rate)} des conversations",
        f"  Satisfaction              : {percent(total.satisfaction)} ({total.ratings} avis)",
    ]
    if figures.topics:
        lines.append(
            "  Thèmes                    : "
            + ", ".join(f"{topic_label(t)} {n}" for t, n in figures.topics[:5])
        )
    if knowledge is not None and knowledge.general:
        lines.append(
            f"  Questions générales       : {knowledge.general} ; article "
            f"{percent(knowledge.answer_rate)}, clarification "
            f"{percent(knowledge.clarification_rate)}, sans réponse "
            f"{percent(knowledge.no_answer_rate)}"
        )
    if knowledge is not None and knowledge.articles:
        lines.append(
            "  Articles les plus donnés  : "
            + ", ".join(f"{(titles or {}).get(i, i)} {n}" for i, n in knowledge.articles[:5])
        )
    if total.conversations:
        lines.append(f"  Par canal                 : {segments(figures.by_channel)}")
        lines.append(f"  Par page d'entrée         : {segments(figures.by_journey)}")
        lines.append(f"  Par connexion             : {segments(figures.by_connection)}")
    else:
        lines.append("  Aucune conversation : `make simulate` en remplit quelques-unes.")
    return lines


@dataclass
class Report:
    figures: Figures
    knowledge: KnowledgeFigures
    titles: Dict[str, str]  # article id -> title, to name the articles in the report


def article_titles(directory: Optional[Path] = None) -> Dict[str, str]:
    """Every readable article's title, expired ones included: they were answered before."""
    articles, _ = read_articles(directory)
    return {a.id: a.title for a in articles}


def build(
    start: date,
    end: date,
    store: EventStore,
    out_dir: Path = DEFAULT_OUT,
    knowledge_dir: Optional[Path] = None,
) -> Tuple[Report, Path]:
    since, until = period_bounds(start, end)
    events = list(store.events(since, until))
    found = Report(
        compute(conversations(events), start, end),
        knowledge_figures(turns(events), start, end),
        article_titles(knowledge_dir),
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"rapport_{start.isoformat()}_{end.isoformat()}.html"
    page = render_html(
        found.figures, describe(store), datetime.now(TIMEZONE), found.knowledge, found.titles
    )
    path.write_text(page)
    return found, path


def describe(store: EventStore) -> str:
    url = store.engine.url
    if url.get_backend_name() == "sqlite":
        return f"la base SQLite {url.database}"
    return f"la base {url.get_backend_name()} {url.host or ''}/{url.database or ''}"


def period_parser(description: str, out: Path, out_help: str) -> argparse.ArgumentParser:
    """The arguments every command over a period of events takes (report, review)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--from", dest="start", type=date.fromisoformat, help="AAAA-MM-JJ")
    parser.add_argument("--to", dest="end", type=date.fromisoformat, help="AAAA-MM-JJ")
    parser.add_argument("--store", help="URL de la base d'événements (EVENT_STORE_URL)")
    parser.add_argument("--out", type=Path, default=out, help=out_help)
    return parser


def parse_period(
    parser: argparse.ArgumentParser, argv: Optional[Sequence[str]], days: int
) -> argparse.Namespace:
    """The arguments, the period defaulting to the last `days` days up to today."""
    args = parser.parse_args(argv)
    today = datetime.now(TIMEZONE).date()
    args.end = args.end or today
    args.start = args.start or args.end - timedelta(days=days - 1)
    if args.start > args.end:
        parser.error("--from doit précéder --to")
    return args


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = period_parser(
        "Rapport d'activité d'Assurbot (HTML).", DEFAULT_OUT, "dossier du rapport"
    )
    return parse_period(parser, argv, DEFAULT_DAYS)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    store = EventStore(args.store)
    try:
        found, path = build(args.start, args.end, store, args.out)
    finally:
        store.close()
    print("\n".join(summary(found.figures, found.knowledge, found.titles)))
    print(path.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
