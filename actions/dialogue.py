"""Conversation management: session start and welcome; the bodies other than the insurer."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

# Pages of the public website that open the chat on their subject (metadata.journey).
JOURNEYS = {"vaccination", "contact_case", "sick_leave", "vitale_card", "maternity"}

# Bodies other than the health insurer, as the `other_body` entity names them.
OTHER_BODIES = {"caf", "impots", "retraite", "france_travail", "mutuelle"}


def message_metadata(tracker: Tracker) -> Dict[Text, Any]:
    """Metadata the channel sent with the latest message, or with the session's first one."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    if not metadata:
        metadata = tracker.get_slot("session_started_metadata") or {}
    return metadata if isinstance(metadata, dict) else {}


class ActionSessionStart(Action):
    """Starts a session; greets and sets the journey when the channel opens the conversation.

    The website and the app open a conversation by sending ``/session_start`` (with the
    journey in the metadata): only then is a welcome shown, so that a member whose first
    message is a question, or a cry for help, gets the answer first.
    """

    def name(self) -> Text:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        events: List[EventType] = [SessionStarted()]
        metadata = message_metadata(tracker)
        journey = metadata.get("journey")
        if journey not in JOURNEYS:
            journey = None
        else:  # no event when there is no journey: nothing to write into saved stories
            events.append(SlotSet("journey", journey))

        opened_by_channel = (tracker.latest_message or {}).get("intent", {}).get(
            "name"
        ) == "session_start"
        if opened_by_channel:
            dispatcher.utter_message(
                response=f"utter_journey_{journey}" if journey else "utter_welcome"
            )
        events.append(ActionExecuted("action_listen"))
        return events
