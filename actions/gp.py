"""Who is my médecin traitant."""

from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.formatting import on_day
from actions.personal import PersonalAction


class ActionCheckGpDeclaration(PersonalAction):
    general_response = "utter_gp_general"
    catalogue_key = "check_gp_declaration"

    def name(self) -> str:
        return "action_check_gp_declaration"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, member_id: str
    ) -> List[EventType]:
        gp = await self.client.get_gp(member_id)
        if not gp.declared:
            dispatcher.utter_message(response="utter_no_gp_declared")
            return []
        where = f" ({gp.city})" if gp.city else ""
        dispatcher.utter_message(
            response="utter_gp_declared",
            doctor=f"{gp.doctor_name}{where}",
            since=on_day(gp.declared_on),
        )
        return []
