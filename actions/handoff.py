"""Hand-off to a human adviser: a secure-message ticket with the conversation written up for
a logged-in member; the phone number and the contact page for anyone else."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.formatting import on_day
from actions.identity import identify
from actions.member_client import MemberClient, MemberSystemError
from actions.personal import shared_client
from actions.topics import NOT_OFFERED, TOPIC_OF_INTENT, TOPICS

MAX_TURNS = 6  # the last exchanges an adviser needs, not the whole history
MAX_CHARS = 300  # per message, so a pasted document does not flood the ticket


def _clip(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1] + "…"


def conversation_topic(tracker: Tracker) -> Optional[str]:
    """The latest subject the member raised, as an intent of the catalogue."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            if intent and intent not in NOT_OFFERED and intent not in ("ask_human", "help"):
                return intent
    return None


def summarise(tracker: Tracker) -> str:
    """What was asked and what the assistant answered: text only, never metadata."""
    exchanges: List[str] = []
    for event in tracker.events:
        kind = event.get("event")
        if kind == "user" and event.get("text") and not str(event["text"]).startswith("/"):
            exchanges.append(f"Membre : {_clip(event['text'])}")
        elif kind == "bot" and event.get("text"):
            exchanges.append(f"Assistant : {_clip(event['text'])}")
    topic = conversation_topic(tracker)
    title = TOPICS[topic].title if topic in TOPICS else "non précisé"
    recent = exchanges[-2 * MAX_TURNS :]
    return "\n".join([f"Sujet : {title}", "Derniers échanges :", *recent])


class ActionHandOffToAdviser(Action):
    def __init__(self, client: Optional[MemberClient] = None) -> None:
        self._client = client

    def name(self) -> Text:
        return "action_hand_off_to_adviser"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        identity = identify(tracker)
        if identity.member_id is None:
            dispatcher.utter_message(response="utter_ask_human_anonymous")
            return []
        intent = conversation_topic(tracker)
        subject = TOPICS[intent].title if intent in TOPICS else "Demande à un conseiller"
        try:
            ticket = await (self._client or shared_client()).create_ticket(
                identity.member_id,
                topic=TOPIC_OF_INTENT.get(intent or "", "other"),
                subject=subject,
                summary=summarise(tracker),
            )
        except MemberSystemError:
            dispatcher.utter_message(response="utter_hand_off_failed")
            return []
        dispatcher.utter_message(
            response="utter_hand_off_done",
            ticket=ticket.id,
            reply_by=on_day(ticket.expected_reply_by),
        )
        return []
