"""My carte Vitale: the order's progress, the card's state, and declaring a loss or theft
only after the member has confirmed it."""

from __future__ import annotations

import re
import unicodedata
from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.formatting import day, on_day
from actions.member_client import VitaleCard
from actions.personal import PersonalAction

ORDER_STEPS = {
    "commande_enregistree": "votre commande est enregistrée",
    "photo_recue": "votre photo et votre pièce d'identité ont bien été reçues",
    "en_fabrication": "votre carte est en cours de fabrication",
    "envoyee": "votre carte vous a été envoyée par courrier",
}
_LOSS = re.compile(r"\b(perdu|perte|egare|vol|vole|volee|bloquer|opposition|declarer)\b")
_THEFT = re.compile(r"\b(vol|vole|volee|voler)\b")


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", (text or "").lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def wants_to_declare_loss(text: str) -> bool:
    return bool(_LOSS.search(_plain(text)))


def describe_card(card: VitaleCard) -> str:
    lines = []
    if card.open_loss_declaration:
        declared = card.open_loss_declaration
        kind = "le vol" if declared.reason == "stolen" else "la perte"
        lines.append(
            f"Vous avez déclaré {kind} de votre carte {on_day(declared.declared_at.date())}."
        )
    if card.card_status == "active":
        since = f" depuis {day(card.card_issued_on)}" if card.card_issued_on else ""
        lines.append(f"Votre carte Vitale est valide{since}.")
    elif card.card_status == "opposed":
        lines.append("Votre ancienne carte Vitale est désactivée (mise en opposition).")
    else:
        lines.append("Vous n'avez pas de carte Vitale en cours de validité.")
    if card.order:
        step = ORDER_STEPS.get(card.order.status, "votre commande est en cours")
        line = f"Commande en cours : {step}"
        if card.order.status == "envoyee" and card.order.sent_on:
            line += f" {on_day(card.order.sent_on)}"
        elif card.order.expected_delivery_on:
            line += f" ; envoi prévu vers {day(card.order.expected_delivery_on)}"
        lines.append(line + ".")
    if card.app_activated:
        lines.append("L'appli carte Vitale est activée sur votre téléphone.")
    return " ".join(lines)


class ActionCheckVitaleCard(PersonalAction):
    general_response = "utter_vitale_card_general"
    catalogue_key = "check_vitale_card"

    def name(self) -> str:
        return "action_check_vitale_card"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, member_id: str
    ) -> List[EventType]:
        card = await self.client.get_vitale_card(member_id)
        text = (tracker.latest_message or {}).get("text") or ""
        if wants_to_declare_loss(text) and not card.open_loss_declaration:
            reason = "stolen" if _THEFT.search(_plain(text)) else "lost"
            dispatcher.utter_message(
                response="utter_ask_vitale_loss_confirmation",
                what="le vol" if reason == "stolen" else "la perte",
            )
            return [SlotSet("vitale_loss_pending", reason)]
        dispatcher.utter_message(response="utter_vitale_card", details=describe_card(card))
        return []


class ActionDeclareVitaleLoss(PersonalAction):
    """Runs on the member's answer to the confirmation: declares on "oui", cancels on "non"."""

    general_response = "utter_vitale_card_general"
    catalogue_key = "check_vitale_card"

    def name(self) -> str:
        return "action_declare_vitale_loss"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, member_id: str
    ) -> List[EventType]:
        reason = tracker.get_slot("vitale_loss_pending")
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if reason not in ("lost", "stolen") or intent != "affirm":
            dispatcher.utter_message(response="utter_vitale_loss_cancelled")
            return [SlotSet("vitale_loss_pending", None)]
        declaration = await self.client.declare_vitale_loss(member_id, reason)
        dispatcher.utter_message(
            response="utter_vitale_loss_declared"
            if declaration.created
            else "utter_vitale_loss_already_declared",
            what="le vol" if declaration.reason == "stolen" else "la perte",
            date=on_day(declaration.declared_at.date()),
        )
        return [SlotSet("vitale_loss_pending", None)]
