"""A small knowledge base written for the tests: articles as an editor writes them."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Optional

import pytest
import yaml

from knowledge.decide import Thresholds
from knowledge.service import Knowledge

SOURCE = "https://www.service-public.gouv.fr/particuliers/vosdroits/F0000"
# Thresholds for this small base of written examples: the tests pin the mechanism (answer,
# clarify, no answer, follow-ups), not the values tuned on real questions for the real base.
TEST_THRESHOLDS = Thresholds(
    answer=0.60, margin=0.06, lead=0.30, clarify=0.40, window=0.12, out_of_scope_sure=0.80
)


def article_data(article_id: str, **fields: Any) -> Dict[str, Any]:
    data: Dict[str, Any] = {
        "id": article_id,
        "title": f"Titre {article_id}",
        "catalogue_key": "send_sick_leave",
        "questions": [f"question {n} sur {article_id}" for n in range(8)],
        "answer": "Une réponse courte, sans chiffre.",
        "link": SOURCE,
        "sources": [{"url": SOURCE, "page_date": "2026-01-01", "quotes": ["Une phrase."]}],
        "checked": "2026-12-01",
    }
    data.update(fields)
    return data


def write_article(root: Path, topic: str, article_id: str, **fields: Any) -> Path:
    path = root / topic / f"{article_id}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(article_data(article_id, **fields), allow_unicode=True), "utf-8")
    return path


ARTICLES = {
    ("family", "maternity_leave"): dict(
        title="Congé maternité",
        catalogue_key="maternity_leave",
        questions=[
            "congé maternité durée",
            "combien de semaines de congé maternité",
            "je suis enceinte, quand commence mon congé maternité ?",
            "conge maternite",
            "durée du congé de maternité pour un premier enfant",
            "congé prénatal et postnatal",
            "quand partir en congé maternité",
            "congé mater c'est combien de temps",
        ],
    ),
    ("family", "paternity_leave"): dict(
        title="Congé de paternité",
        catalogue_key="paternity_leave",
        questions=[
            "congé paternité durée",
            "combien de jours de congé paternité",
            "je vais être papa, à quoi ai-je droit ?",
            "conge paternite",
            "congé du père à la naissance",
            "congé d'accueil de l'enfant",
            "le papa a droit à combien de jours",
            "conge papa naissance bebe",
        ],
    ),
    ("abroad", "european_health_card"): dict(
        title="Carte européenne d'assurance maladie",
        catalogue_key="european_health_card",
        questions=[
            "carte européenne d'assurance maladie",
            "commander la CEAM",
            "je pars en Espagne, comment être soigné ?",
            "ceam",
            "carte europeenne delai de reception",
            "carte santé pour voyager en Europe",
            "combien de temps pour recevoir la carte européenne",
            "ceam validité",
        ],
    ),
    ("daily_allowance", "tpt"): dict(
        title="Temps partiel thérapeutique",
        catalogue_key="daily_allowance_amount",
        questions=[
            "temps partiel thérapeutique",
            "mi-temps thérapeutique indemnités",
            "reprendre à mi-temps après un arrêt maladie",
            "mi temps therapeutique",
            "reprise progressive du travail pour raison médicale",
            "tpt ij",
            "mon médecin propose une reprise à temps partiel",
            "temps partiel therapeutique conditions",
        ],
    ),
    ("daily_allowance", "sick_leave_outings"): dict(
        title="Sorties pendant un arrêt maladie",
        catalogue_key="send_sick_leave",
        questions=[
            "heures de sortie arrêt maladie",
            "puis-je sortir pendant mon arrêt maladie",
            "sorties autorisées en arrêt de travail",
            "sortie arret maladie horaires",
            "je suis en arrêt, ai-je le droit d'aller faire des courses ?",
            "sorties libres arrêt",
            "arrêt maladie sortie interdite",
            "quelles heures de présence en arrêt maladie",
        ],
    ),
    ("vitale_card", "lost_vitale_card"): dict(
        title="Carte Vitale perdue ou volée",
        catalogue_key="lost_vitale_card",
        follow_up="check_vitale_card",
        answer="Déclarez la perte dans votre compte ameli ou au 3646.",
        sources=[{"url": SOURCE, "quotes": ["appelez le 36 46"]}],
        questions=[
            "carte vitale perdue",
            "j'ai perdu ma carte vitale",
            "on m'a volé ma carte vitale",
            "carte vitale volée que faire",
            "perte carte vitale",
            "carte vitale égarée",
            "je ne retrouve plus ma carte vitale",
            "vol de carte vitale",
        ],
    ),
}


def write_small_base(root: Path) -> Path:
    for (topic, article_id), fields in ARTICLES.items():
        write_article(root, topic, article_id, **fields)
    return root


@pytest.fixture
def knowledge_dir(tmp_path: Path) -> Path:
    return write_small_base(tmp_path / "knowledge")


@pytest.fixture
def small_knowledge(knowledge_dir: Path) -> Knowledge:
    return Knowledge.load(knowledge_dir, with_vectors=False, thresholds=TEST_THRESHOLDS)


def knowledge_at(root: Path, today: Optional[str] = None) -> Knowledge:
    import datetime as dt

    day = dt.date.fromisoformat(today) if today else None
    return Knowledge.load(root, today=day, with_vectors=False, thresholds=TEST_THRESHOLDS)
