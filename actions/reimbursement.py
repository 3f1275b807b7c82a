"""Where is my reimbursement: the member's recent reimbursements, filtered as they asked."""

from __future__ import annotations

from datetime import date
from typing import List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.care_types import LABELS, canonical
from actions.formatting import euros, on_day
from actions.member_client import Reimbursement
from actions.periods import resolve_period
from actions.personal import PersonalAction, latest_entity

SHOWN = 3  # at most three in the chat; the rest is one click away in the account

# What a member can do about each reason a reimbursement is refused.
WHAT_TO_DO = {
    "feuille_incomplete": "Demandez au professionnel de santé une feuille de soins complète "
    "(signée), puis renvoyez-la à votre caisse.",
    "prescription_manquante": "Renvoyez la demande à votre caisse avec l'ordonnance du médecin.",
    "droits_fermes": "Vos droits doivent d'abord être rouverts : écrivez à un conseiller.",
    "doublon": "Vous n'avez rien à faire : ce soin a déjà été remboursé une fois.",
    "hors_delai": "Une demande doit être envoyée dans les deux ans qui suivent les soins. "
    "Un conseiller peut examiner votre situation.",
}


def describe(item: Reimbursement) -> str:
    """One line per reimbursement, in plain French."""
    who = f" pour {item.beneficiary_name}" if item.beneficiary_id else ""
    by = f" ({item.practitioner_name})" if item.practitioner_name else ""
    what = f"{item.care_label}{by}{who}, {on_day(item.care_date)}"
    if item.status == "paid":
        return (
            f"- {what} : {euros(item.amount_reimbursed)} remboursés, "
            f"virement {on_day(item.payment_date)}."
        )
    if item.status == "pending":
        return f"- {what} : en cours de traitement (demande reçue {on_day(item.received_on)})."
    reason = item.rejection_reason or "motif non précisé"
    advice = WHAT_TO_DO.get(item.rejection_code or "", "Un conseiller peut vous expliquer.")
    return f"- {what} : refusé. {reason} {advice}"


class ActionCheckReimbursementStatus(PersonalAction):
    general_response = "utter_reimbursement_general"
    catalogue_key = "check_reimbursement_status"

    def name(self) -> str:
        return "action_check_reimbursement_status"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, member_id: str
    ) -> List[EventType]:
        care_type = canonical(latest_entity(tracker, "care_type"))
        period = resolve_period(latest_entity(tracker, "period"), today=date.today())
        page = await self.client.list_reimbursements(
            member_id,
            care_type=care_type,
            date_from=period.start if period else None,
            date_to=period.end if period else None,
            limit=SHOWN,
        )
        asked = _what_was_asked(care_type, period.words if period else None)
        if not page.items:
            dispatcher.utter_message(response="utter_no_reimbursement", asked=asked)
            return []
        lines = "\n".join(describe(item) for item in page.items)
        more = page.total - len(page.items)
        dispatcher.utter_message(
            response="utter_reimbursements",
            count=page.total,
            asked=asked,
            lines=lines,
            more=_more(more),
        )
        if any(item.status == "rejected" for item in page.items):
            dispatcher.utter_message(response="utter_reimbursement_rejected_next_step")
        return []


def _what_was_asked(care_type: Optional[str], period_words: Optional[str]) -> str:
    parts = []
    if care_type:
        parts.append(
            f"en {LABELS[care_type]}"
            if care_type == "pharmacie"
            else f"pour « {LABELS[care_type]} »"
        )
    if period_words:
        parts.append(f"« {period_words} »")
    return (" " + " ".join(parts)) if parts else ""


def _more(count: int) -> str:
    if count <= 0:
        return ""
    return (
        f"\n\n{count} autre{'s' if count > 1 else ''} remboursement{'s' if count > 1 else ''} "
        "dans votre compte ameli : [voir plus](https://assure.ameli.fr)"
    )
