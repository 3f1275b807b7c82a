"""The care types members name, as the `care_type` entity and the member system spell them."""

from __future__ import annotations

from typing import Dict, Optional

LABELS: Dict[str, str] = {
    "generaliste": "médecin généraliste",
    "specialiste": "médecin spécialiste",
    "dermatologue": "dermatologue",
    "ophtalmologue": "ophtalmologue",
    "gynecologue": "gynécologue",
    "pediatre": "pédiatre",
    "psychiatre": "psychiatre",
    "cardiologue": "cardiologue",
    "dentiste": "dentiste",
    "kinesitherapeute": "kinésithérapeute",
    "infirmier": "infirmier ou infirmière",
    "sage_femme": "sage-femme",
    "pharmacie": "pharmacie",
    "lunettes": "lunettes",
    "audition": "aides auditives",
    "hospitalisation": "hospitalisation",
    "analyses": "analyses de laboratoire",
    "radiologie": "radiologie",
    "transport": "transport sanitaire",
}


def canonical(value: Optional[str]) -> Optional[str]:
    """The canonical care type, or None for a value the member system would not know."""
    if not value:
        return None
    value = value.strip().lower()
    return value if value in LABELS else None
