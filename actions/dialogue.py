"""Conversation management: session start and welcome, out-of-scope routing, clarification."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.topics import NOT_OFFERED, TOPICS

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


class ActionAnswerOutOfScope(Action):
    """Points the member to the body that handles their question, when there is one."""

    def name(self) -> Text:
        return "action_answer_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        bodies = [
            str(e.get("value", "")).lower()
            for e in (tracker.latest_message or {}).get("entities", [])
            if e.get("entity") == "other_body" and str(e.get("value", "")).lower() in OTHER_BODIES
        ]
        if bodies:
            # One answer per body named, in the order the member named them.
            for body in dict.fromkeys(bodies):
                dispatcher.utter_message(response=f"utter_out_of_scope_{body}")
        else:
            dispatcher.utter_message(response="utter_out_of_scope")
        return []


def _candidate_topics(latest_message: Dict[Text, Any], limit: int = 2) -> List[str]:
    """The most likely topics of a message the model was unsure of, best first."""
    topics: List[str] = []
    for ranked in latest_message.get("intent_ranking", []):
        name: Optional[str] = ranked.get("name")
        if not name or name in NOT_OFFERED or name not in TOPICS or name in topics:
            continue
        topics.append(name)
        if len(topics) == limit:
            break
    return topics


class ActionDefaultAskAffirmation(Action):
    """First stage of the fallback: offer the two most likely topics as buttons."""

    def name(self) -> Text:
        return "action_default_ask_affirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        topics = _candidate_topics(tracker.latest_message or {})
        buttons = [{"title": TOPICS[t].title, "payload": TOPICS[t].payload(t)} for t in topics]
        # `/out_of_scope` is what Rasa's two-stage fallback takes as "none of these".
        buttons.append({"title": "Autre chose", "payload": "/out_of_scope"})
        dispatcher.utter_message(response="utter_ask_affirmation", buttons=buttons)
        return []
