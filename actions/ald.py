"""Am I in affection longue durée (ALD), and until when is my care covered at 100 %."""

from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.formatting import day, on_day
from actions.personal import PersonalAction


class ActionCheckAldStatus(PersonalAction):
    general_response = "utter_ald_general"
    catalogue_key = "check_ald_status"

    def name(self) -> str:
        return "action_check_ald_status"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, member_id: str
    ) -> List[EventType]:
        status = await self.client.get_ald(member_id)
        active = [a for a in status.items if a.active]
        if not active:
            ended = [a for a in status.items if not a.active]
            if ended:
                last = max(ended, key=lambda a: a.end_date)
                dispatcher.utter_message(
                    response="utter_ald_ended", label=last.label, end=on_day(last.end_date)
                )
            else:
                dispatcher.utter_message(response="utter_no_ald")
            return []
        lines = "\n".join(
            f"- {a.label} : "
            + (
                f"soins liés pris en charge à 100 % jusqu'au {day(a.end_date)}"
                if a.exonerating
                else f"reconnue jusqu'au {day(a.end_date)} (sans prise en charge à 100 %)"
            )
            for a in active
        )
        dispatcher.utter_message(response="utter_ald_status", lines=lines)
        return []
