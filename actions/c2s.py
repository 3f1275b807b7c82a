"""Where is my complémentaire santé solidaire (C2S) application; until when are my rights open."""

from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.formatting import day, euros, on_day
from actions.member_client import C2sStatus
from actions.personal import PersonalAction


def describe_c2s(c2s: C2sStatus) -> str:
    if c2s.status == "active":
        cost = (
            f" Votre participation est de {euros(c2s.monthly_participation)} par mois."
            if c2s.monthly_participation
            else " Elle ne vous coûte rien."
        )
        people = f" pour {c2s.people_covered} personnes" if c2s.people_covered > 1 else ""
        return (
            f"Vos droits à la complémentaire santé solidaire sont ouverts{people} jusqu'au "
            f"{day(c2s.rights_end)}.{cost} Pensez à demander son renouvellement avant cette date."
        )
    if c2s.status == "pending":
        text = (
            "Votre demande de complémentaire santé solidaire, reçue "
            f"{on_day(c2s.application_date)}, est en cours d'examen. Réponse attendue au plus "
            f"tard {on_day(c2s.expected_decision_by)}."
        )
        for document in c2s.missing_documents:
            text += (
                f"\nIl manque : {document.label}. Envoyez-le à votre caisse pour que l'examen "
                "continue."
            )
        return text
    if c2s.status == "expired":
        return (
            "Vos droits à la complémentaire santé solidaire ont pris fin "
            f"{on_day(c2s.rights_end)}. Vous pouvez faire une nouvelle demande."
        )
    if c2s.status == "refused":
        return (
            f"Votre demande de complémentaire santé solidaire a été refusée "
            f"{on_day(c2s.decision_date)}. Un conseiller peut vous expliquer cette décision."
        )
    return "Vous n'avez pas de demande de complémentaire santé solidaire en cours."


class ActionCheckC2sApplication(PersonalAction):
    general_response = "utter_c2s_general"
    catalogue_key = "check_c2s_application"

    def name(self) -> str:
        return "action_check_c2s_application"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, member_id: str
    ) -> List[EventType]:
        c2s = await self.client.get_c2s(member_id)
        dispatcher.utter_message(response="utter_c2s_status", details=describe_c2s(c2s))
        return []
