"""What will this care cost me: the estimate for the care type asked, from my own situation."""

from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.care_types import LABELS, canonical
from actions.formatting import euros
from actions.member_client import CareCostEstimate
from actions.personal import PersonalAction, latest_entity

# Consultations whose rate depends on having declared a médecin traitant.
PATHWAY_DEPENDENT = {
    "generaliste", "specialiste", "dermatologue", "ophtalmologue", "gynecologue", "pediatre",
    "psychiatre", "cardiologue",
}  # fmt: skip

# The care types offered as buttons when the member did not say which one.
ASKED_FIRST = ["generaliste", "specialiste", "dentiste", "kinesitherapeute", "psychiatre"]


def situation(estimate: CareCostEstimate) -> str:
    facts = []
    if estimate.c2s_active:
        facts.append("vous bénéficiez de la complémentaire santé solidaire (C2S)")
    if estimate.ald_active:
        facts.append("vous êtes en affection longue durée (ALD)")
    if estimate.care_type in PATHWAY_DEPENDENT:
        facts.append(
            "vous avez déclaré un médecin traitant"
            if estimate.has_gp
            else "vous n'avez pas déclaré de médecin traitant"
        )
    return ", ".join(facts)


def describe_estimate(estimate: CareCostEstimate) -> str:
    label = LABELS.get(estimate.care_type, estimate.care_label)
    if not estimate.estimate_available:
        return (
            f"Je ne peux pas estimer le coût pour « {label} » : "
            f"{estimate.no_estimate_reason or 'il n’existe pas de tarif unique.'}"
        )
    lines = [
        f"Pour une consultation ou un soin « {label} » au tarif de l'Assurance Maladie "
        f"({euros(estimate.convention_tariff)}) :",
        f"- remboursé par l'Assurance Maladie : {euros(estimate.amount_reimbursed)} "
        f"(taux de {estimate.reimbursement_rate} %"
        + (
            f", moins la participation forfaitaire de {euros(estimate.participation_forfaitaire)})"
            if estimate.participation_forfaitaire
            else ")"
        ),
    ]
    if estimate.c2s_cover:
        lines.append(f"- pris en charge par la C2S : {euros(estimate.c2s_cover)}")
    lines.append(f"- reste à votre charge : {euros(estimate.left_to_pay)}")
    why = situation(estimate)
    if why:
        lines.append(f"Ce calcul tient compte de votre situation : {why}.")
    lines.append(
        "Les dépassements d'honoraires éventuels ne sont pas compris ; votre complémentaire "
        "santé peut rembourser tout ou partie du reste à charge."
    )
    return "\n".join(lines)


class ActionEstimateCareCost(PersonalAction):
    general_response = "utter_care_cost_general"
    catalogue_key = "estimate_care_cost"

    def name(self) -> str:
        return "action_estimate_care_cost"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, member_id: str
    ) -> List[EventType]:
        care_type = canonical(latest_entity(tracker, "care_type"))
        if not care_type:
            buttons = [
                {
                    "title": LABELS[c].capitalize(),
                    "payload": f'/estimate_care_cost{{"care_type": "{c}"}}',
                }
                for c in ASKED_FIRST
            ]
            dispatcher.utter_message(response="utter_ask_care_type", buttons=buttons)
            return []
        estimate = await self.client.estimate_care_cost(member_id, care_type)
        dispatcher.utter_message(
            response="utter_care_cost_estimate", details=describe_estimate(estimate)
        )
        return []
