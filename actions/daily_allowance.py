"""When will my allowance be paid: the member's sick, maternity or paternity leave payments."""

from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.formatting import day, euros, on_day
from actions.member_client import SickLeave
from actions.personal import PersonalAction

KINDS = {"maladie": "arrêt maladie", "maternite": "congé maternité", "paternite": "congé paternité"}

# Who can send a missing document, and what the member can do about it.
WHO_SENDS = {
    "employeur": "Demandez à votre employeur de l'envoyer à votre caisse (il peut le faire en "
    "ligne) : le paiement reprend dès sa réception.",
}


def describe_leave(leave: SickLeave) -> str:
    kind = KINDS.get(leave.kind, "arrêt")
    period = f"du {day(leave.start_date)} au {day(leave.end_date)}"
    lines = [f"Votre {kind} {period} :"]
    if leave.payments:
        last = leave.payments[-1]
        lines.append(
            f"- déjà versé : {euros(leave.total_paid)} ; dernier paiement de {euros(last.amount)} "
            f"{on_day(last.paid_on)} (du {day(last.period_start)} au "
            f"{day(last.period_end)})."
        )
    else:
        lines.append("- aucun paiement n'a encore été fait.")
    if leave.allowance_status == "blocked":
        lines.append(f"- paiement en attente : {leave.blocked_reason or 'dossier incomplet.'}")
        for document in leave.missing_documents:
            advice = WHO_SENDS.get(document.expected_from, "Envoyez-le à votre caisse.")
            lines.append(f"- il manque : {document.label}. {advice}")
    elif leave.next_payment_expected_on:
        lines.append(f"- prochain paiement prévu {on_day(leave.next_payment_expected_on)}.")
    elif leave.allowance_status == "not_compensated":
        lines.append("- cet arrêt ne donne pas lieu à des indemnités journalières.")
    elif not leave.ongoing:
        lines.append("- cet arrêt est terminé et entièrement payé.")
    return "\n".join(lines)


class ActionCheckDailyAllowance(PersonalAction):
    general_response = "utter_daily_allowance_general"
    catalogue_key = "check_daily_allowance"

    def name(self) -> str:
        return "action_check_daily_allowance"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, member_id: str
    ) -> List[EventType]:
        leaves = await self.client.list_sick_leaves(member_id)
        if not leaves:
            dispatcher.utter_message(response="utter_no_sick_leave")
            return []
        recent = sorted(leaves, key=lambda leave: leave.start_date, reverse=True)[:2]
        dispatcher.utter_message(
            response="utter_daily_allowance",
            details="\n\n".join(describe_leave(leave) for leave in recent),
        )
        return []
