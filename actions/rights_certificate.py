"""My attestation de droits: created in the member's space, with its link."""

from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.formatting import on_day
from actions.personal import PersonalAction


class ActionRequestRightsCertificate(PersonalAction):
    general_response = "utter_rights_certificate_general"
    catalogue_key = "request_rights_certificate"

    def name(self) -> str:
        return "action_request_rights_certificate"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, member_id: str
    ) -> List[EventType]:
        certificate = await self.client.create_rights_certificate(member_id)
        dispatcher.utter_message(
            response="utter_rights_certificate",
            link=certificate.link,
            until=on_day(certificate.rights_open_until),
            people=", ".join(certificate.beneficiaries),
        )
        return []
