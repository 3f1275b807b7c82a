"""`make review`: the messages Assurbot did not understand, as an NLU file the team corrects.

    python -m analytics.review [--from 2026-11-01] [--to 2026-11-30] [--threshold 0.7]

Exports, from the event store, the messages members typed over the period that went to the
fallback or were understood with a confidence below ``--threshold`` (0.7 by default: above the
fallback's 0.55, so narrow escapes are caught too). Each message appears once (case, accents
and punctuation ignored), its personal data masked again, under the intent the model leaned to,
in a Rasa NLU file under review/ (never committed). Messages already in data/nlu/ or in the
test sets (tests/test_nlu.yml, tests/test_stories.yml) are left out: the first teach nothing
new, the second must stay unseen for the evaluation to mean something.

Messages the knowledge base had no article for (``{"answer": null}`` in the answer's ``custom``
field) are exported too, whatever the model's confidence: the intent was right, the articles
were not. Beside each message, as comments, the three closest articles of the knowledge search
(id, title, score) and what the member was actually given.

The team moves each message under its right intent, or into the ``articles:`` section (a
question variant of an existing article, or the first question of a new one), or deletes it,
then runs `make merge REVIEW=review/<file>.yml` (analytics/merge.py).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

from analytics.answers import ANSWER, CLARIFY, NO_ANSWER, PERSONAL, Turn, by_message, turns
from analytics.metrics import (
    LOW_CONFIDENCE,
    TIMEZONE,
    Conversation,
    conversations,
    period_bounds,
    topic_of,
)
from analytics.nlu_files import normalise, test_messages, training_messages
from analytics.report import (
    day_label,
    number,
    parse_period,
    period_parser,
    plural,
    topic_label,
)
from assurbot.event_store import EventStore
from assurbot.personal_data import mask
from knowledge.articles import knowledge_directory
from knowledge.service import Knowledge

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "review"
DEFAULT_DAYS = 7  # the team's week
SUGGESTIONS = 3  # closest articles shown beside each message


@dataclass(frozen=True)
class Suggestion:
    """An article of the knowledge base close to a message, as the search scores it."""

    id: str
    title: str
    score: float


@dataclass
class Candidate:
    """One distinct misunderstood message."""

    text: str
    key: str
    count: int = 0
    fallback: int = 0
    simulated: int = 0
    confidences: List[float] = field(default_factory=list)
    predictions: Counter = field(default_factory=Counter)
    given: Counter = field(default_factory=Counter)  # what the member got: see _given()
    suggestions: List[Suggestion] = field(default_factory=list)

    @property
    def predicted(self) -> str:
        return self.predictions.most_common(1)[0][0]


def _given(turn: Optional[Turn]) -> Optional[str]:
    """What the member got, in the words of the review file (None: nothing recorded)."""
    if turn is None or turn.kind is None:
        return None
    if turn.kind in (ANSWER, PERSONAL):
        return f"réponse {(turn.articles or turn.answers)[0]}"
    if turn.kind == CLARIFY:
        return "choix entre " + ", ".join(turn.offered)
    return "aucun article"


@dataclass
class Review:
    start: date
    end: date
    threshold: float
    groups: Dict[str, List[Candidate]]
    received: int  # misunderstood messages, before deduplication
    known: int  # distinct ones left out: already in data/nlu or in the held-out set

    @property
    def distinct(self) -> int:
        return sum(len(c) for c in self.groups.values())

    @property
    def simulated(self) -> int:
        return sum(1 for cs in self.groups.values() for c in cs if c.simulated)


def known_messages(root: Path = ROOT) -> Set[str]:
    """Normalised texts of the training examples and of the test sets."""
    return set(training_messages(root)) | set(test_messages(root))


def collect(
    convs: Iterable[Conversation],
    start: date,
    end: date,
    known: Set[str],
    threshold: float = LOW_CONFIDENCE,
    answers: Optional[Dict[Tuple[str, float], Turn]] = None,
) -> Review:
    """The misunderstood messages; ``answers`` (by_message of analytics.answers) adds those
    the knowledge base had no article for, and says what each member was given."""
    answers = answers or {}
    candidates: Dict[str, Candidate] = {}
    received = 0
    known_keys: Set[str] = set()
    for conversation in convs:
        if not start <= conversation.day <= end:
            continue
        for message in conversation.messages:
            turn = answers.get((conversation.sender_id, message.timestamp))
            unanswered = turn is not None and turn.kind == NO_ANSWER
            if not message.typed or not (
                message.fallback or message.confidence < threshold or unanswered
            ):
                continue
            text = " ".join(mask(message.text)[0].split())
            key = normalise(text)
            if not key:
                continue
            received += 1
            if key in known:
                known_keys.add(key)
                continue
            candidate = candidates.setdefault(key, Candidate(text, key))
            candidate.count += 1
            candidate.fallback += message.fallback
            candidate.simulated += message.simulated
            candidate.confidences.append(message.predicted_confidence)
            candidate.predictions[message.predicted_intent] += 1
            given = _given(turn)
            if given:
                candidate.given[given] += 1
    groups: Dict[str, List[Candidate]] = defaultdict(list)
    for candidate in candidates.values():
        groups[candidate.predicted].append(candidate)
    ordered = {
        intent: sorted(found, key=lambda c: (-c.count, c.key))
        for intent, found in sorted(
            groups.items(), key=lambda kv: (-sum(c.count for c in kv[1]), kv[0])
        )
    }
    return Review(start, end, threshold, ordered, received, len(known_keys))


def suggest(review: Review, knowledge: Knowledge, limit: int = SUGGESTIONS) -> Review:
    """Gives each message the ``limit`` closest articles of the knowledge search."""
    for candidates in review.groups.values():
        for candidate in candidates:
            candidate.suggestions = [
                Suggestion(hit.article.id, hit.article.title, hit.score)
                for hit in knowledge.index.search(candidate.text, limit=limit)
            ]
    return review


def _comment(candidate: Candidate) -> List[str]:
    """The lines that say, above a group, what each message got and which articles are near."""
    lines = [f"#   « {candidate.text} »"]
    if candidate.given:
        lines.append(
            "#       donné : "
            + " ; ".join(f"{what} ({n})" for what, n in candidate.given.most_common())
        )
    if candidate.suggestions:
        lines.append(
            "#       articles proches : "
            + " ; ".join(
                f"{s.id} « {s.title} » {number(s.score, 2)}" for s in candidate.suggestions
            )
        )
    return lines


ARTICLES_HELP = [
    "# --- Base de connaissances ---",
    "# Un message qu'un article de data/knowledge/ devrait couvrir : déplacez sa ligne ici, sous",
    "# « questions: | ». Il devient une variante des questions de l'article (il peut rester",
    "# aussi sous son intention plus haut). Un article qui n'existe pas encore : un bloc",
    "# « - new_article: <id> » avec son thème (dossier de data/knowledge/), son titre et sa clé",
    "# de catalogue ; make merge en écrit le brouillon dans review/drafts/, à compléter.",
    "# Exemple (enlevez les # pour l'utiliser) :",
    "# - article: lost_vitale_card",
    "#   questions: |",
    "#     - ma carte a été avalée par la borne",
    "# - new_article: carte_vitale_avalee_borne",
    "#   topic: vitale_card",
    '#   title: "Carte Vitale gardée par une borne"',
    "#   catalogue_key: lost_vitale_card",
    "#   questions: |",
    "#     - la borne de la pharmacie a gardé ma carte",
    "articles:",
]


def render(review: Review, generated: datetime) -> str:
    period = f"du {day_label(review.start)} au {day_label(review.end)}"
    lines = [
        f"# Revue des messages mal compris par Assurbot, {period}.",
        f"# Produit le {generated.strftime('%d/%m/%Y à %H:%M')} par `make review "
        f"FROM={review.start.isoformat()} TO={review.end.isoformat()}`.",
        f"# {review.distinct} messages distincts ({review.received} reçus) partis en "
        f"incompréhension, compris avec une confiance inférieure à "
        f"{number(review.threshold, 2)} ou restés sans article de la base de connaissances ; "
        "les données personnelles sont masquées.",
        f"# {review.known} autres, déjà dans data/nlu/ ou dans les jeux de test "
        "(tests/test_nlu.yml, tests/test_stories.yml), sont écartés.",
        "#",
        "# Chaque message est rangé sous l'intention que le modèle a cru reconnaître : elle est",
        "# souvent fausse. Pour chaque ligne :",
        "#   - la bonne intention est celle du bloc : laissez la ligne ;",
        "#   - sinon, déplacez la ligne sous la bonne intention (ajoutez au besoin un bloc",
        "#     « - intent: <nom> » avec « examples: | » ; les noms sont ceux de domain.yml) ;",
        "#   - un article de la base de connaissances devrait y répondre : déplacez la ligne",
        "#     dans la section « articles: » en fin de fichier (les articles proches de chaque",
        "#     message sont indiqués au-dessus de son bloc, avec leur score de 0 à 1) ;",
        "#   - le message n'apprendrait rien au modèle (incompréhensible, trop vague) :",
        "#     supprimez la ligne.",
        "# Tout ce qui reste sous « nlu: » sera ajouté aux exemples d'entraînement, et ce qui est",
        "# sous « articles: » aux questions des articles.",
        "# Ensuite : make merge REVIEW=<ce fichier>, puis make train et make test (les articles",
        "# n'ont pas besoin d'entraînement : redémarrer le serveur d'actions suffit).",
    ]
    if review.simulated:
        lines += [
            "#",
            f"# Attention : {review.simulated} de ces messages viennent de `make simulate` "
            "(conversations",
            "# de démonstration tirées des jeux de test) : ne les fusionnez pas dans les vraies "
            "données.",
        ]
    lines += ["", 'version: "3.1"', ""]
    if not review.groups:
        lines += ["nlu: []", "", *ARTICLES_HELP]
        return "\n".join(lines) + "\n"
    lines.append("nlu:")
    for intent, candidates in review.groups.items():
        count = sum(c.count for c in candidates)
        low, high = (
            min(x for c in candidates for x in c.confidences),
            max(x for c in candidates for x in c.confidences),
        )
        fallback = sum(c.fallback for c in candidates)
        lines.append(
            f"# Prédit : {intent} ({topic_label(topic_of(intent))}) — "
            f"{plural(len(candidates), 'message distinct', 'messages distincts')}, "
            f"{plural(count, 'reçu', 'reçus')}, dont {fallback} en incompréhension ; "
            f"confiance de {number(low, 2)} à {number(high, 2)}."
        )
        # Comments, not fields: the block stays a Rasa NLU block the merge and Rasa read as is.
        for candidate in candidates:
            if candidate.given or candidate.suggestions:
                lines += _comment(candidate)
        lines.append(f"- intent: {intent}")
        lines.append("  examples: |")
        lines += [f"    - {c.text}" for c in candidates]
        lines.append("")
    lines += ARTICLES_HELP
    return "\n".join(lines) + "\n"


def export(
    store: EventStore,
    start: date,
    end: date,
    out_dir: Path = DEFAULT_OUT,
    threshold: float = LOW_CONFIDENCE,
    root: Path = ROOT,
    knowledge: Optional[Knowledge] = None,
) -> tuple[Review, Path]:
    since, until = period_bounds(start, end)
    events = list(store.events(since, until))
    review = collect(
        conversations(events),
        start,
        end,
        known_messages(root),
        threshold,
        by_message(turns(events)),
    )
    if knowledge is None:
        directory = knowledge_directory() if root == ROOT else root / "data" / "knowledge"
        knowledge = Knowledge.load(directory)  # with word vectors unless KNOWLEDGE_VECTORS=off
    suggest(review, knowledge)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"revue_{start.isoformat()}_{end.isoformat()}.yml"
    path.write_text(render(review, datetime.now(TIMEZONE)))
    return review, path


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = period_parser(
        "Messages mal compris, à corriger par l'équipe.", DEFAULT_OUT, "dossier du fichier"
    )
    parser.add_argument(
        "--threshold",
        type=float,
        default=LOW_CONFIDENCE,
        help=f"confiance sous laquelle un message est revu ({LOW_CONFIDENCE})",
    )
    return parse_period(parser, argv, DEFAULT_DAYS)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    store = EventStore(args.store)
    try:
        review, path = export(store, args.start, args.end, args.out, args.threshold)
    finally:
        store.close()
    print(
        f"review: {review.distinct} messages distincts à revoir ({review.received} reçus, "
        f"{review.known} déjà connus écartés), du {day_label(args.start)} au "
        f"{day_label(args.end)}, en {len(review.groups)} groupes :"
    )
    for intent, candidates in review.groups.items():
        print(f"  {intent:<32} {len(candidates)}")
    if review.simulated:
        print(f"  dont {review.simulated} venant de `make simulate` (démonstration).")
    print("Corrigez le fichier, puis : make merge REVIEW=" + _relative(path))
    print(path.resolve())
    return 0


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path.resolve())


if __name__ == "__main__":
    sys.exit(main())
