"""NLU components of our own, loaded from config.yml."""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

# Words of someone in danger. Matched on lower-case text without accents, so "suicidé",
# "suicide" and "SUICIDER" all count. Each pattern is checked against look-alike insurance
# sentences in tests/assurbot/test_nlu_components.py ("je veux me plaindre" is not "pendre").
DISTRESS_PATTERNS = [
    r"\bsuicid",
    r"\b(?:me|se) tuer\b",
    r"\bmettre fin a (?:mes|ses) jours\b",
    r"\ben finir (?:avec la vie|avec tout|avec ma vie)\b",
    r"\b(?:envie|veux|vais|voudrais|aimerais) (?:d )?en finir\b(?! avec (?!la vie|tout|ma vie))",
    r"\b(?:envie de|veux|vais|voudrais|prefere) mourir\b",
    r"\bme (?:pendre|jeter sous|jeter par la fenetre|jeter du haut)\b",
    r"\bidees (?:noires|suicidaires)\b",
    r"\b(?:plus|pas) envie de vivre\b",
    r"\boverdose\b",
    r"\bfoutre en l air\b",
    r"\bj ?veux mourir\b",
    r"\bplus (?:de |aucune )?raisons? de vivre\b",
    r"\b(?:me scarifie|me mutile|(?:ouvert|ouvrir|taillade|tailler) les veines)\b",
    r"\bavale (?:tous|toute|toutes|une boite|la boite)\b.*\b(?:cachets|comprimes|medicaments|"
    r"somniferes|pilules)\b",
    r"\b(?:avc|crise cardiaque|inconscient|inconsciente|convulse|convulsions)\b",
    r"\b(?:arrive plus a respirer|n arrive pas a respirer|etouffe)\b",
    r"\bje saigne\b",
    r"\bau secours\b",
    r"\bappelez? (?:le samu|les pompiers|le 15|une ambulance)\b",
    r"\bje suis (?:battue?|frappee?|violentee?)\b",
    r"\b(?:n en peux plus de vivre|jpp de la vie|sert plus a rien de vivre|autant mourir)\b",
    r"\b(?:sauter (?:du|d un) pont|sauter par la fenetre|lettre d adieu|plan pour mourir)\b",
    r"\b(?:je me fais du mal|veux disparaitre|envie de disparaitre|que tout s arrete)\b",
    r"\b(?:surdose|tentative de suicide|fait une ts)\b",
    r"\b(?:pris|avale|prendre|avaler) (?:toute la boite|tous mes (?:medocs|medicaments|cachets)|"
    r"\d+ (?:comprimes|cachets|pilules))\b",
    r"\b(?:mal a la poitrine|perds beaucoup de sang|hemorragie|ne reagit plus|ne se reveille pas|"
    r"bu de la javel|urgence vitale|ne bouge plus)\b",
    r"\b(?:je suis en danger|peur qu il me tue|on m a agressee?)\b",
    r"\b(?:ne respire plus|respire plus|fait un malaise|arret cardiaque|perdu connaissance)\b",
    r"\bdouleur (?:dans|a) la poitrine\b",
    r"\bviolences? conjugales?\b",
    r"\b(?:il|elle|conjoint|conjointe|mari|femme|compagnon|compagne|pere|mere) "
    r"(?:me frappe|me bat|va me tuer)\b",
]
_DISTRESS = re.compile("|".join(DISTRESS_PATTERNS))


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def is_distress(text: str) -> bool:
    return bool(_DISTRESS.search(_plain(text or "")))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class DistressGuard(GraphComponent):
    """Distress wins over every other reading of a message.

    A learned classifier can miss a cry for help worded like an insurance question, or be
    unsure enough to trigger the fallback. This last step of the pipeline makes `distress`
    the intent, with full confidence, whenever the words of someone in danger are there, so
    that the emergency numbers always come first.
    """

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "DistressGuard":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if not is_distress(message.get(TEXT) or ""):
                continue
            intent = {"name": "distress", "confidence": 1.0}
            ranking = [intent] + [
                r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != "distress"
            ]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
