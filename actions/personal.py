"""What every personal answer shares: who is asking, the member-information client, and what
to say when either is missing."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.identity import EXPIRED, identify
from actions.member_client import (
    MemberClient,
    MemberNotFound,
    MemberSystemError,
    RightsClosed,
)

_shared_client: Optional[MemberClient] = None


def shared_client() -> MemberClient:
    """One client (one connection pool) for the whole action server, made on first use."""
    global _shared_client
    if _shared_client is None:
        _shared_client = MemberClient()
    return _shared_client


class PersonalAction(Action, ABC):
    """An answer from the member's own file.

    Subclasses give `general_response` (what anyone may read) and `answer()`. Tests pass a
    client to the constructor; rasa-sdk builds actions with none, and the shared one is used.
    Being abstract, this class itself is not registered by rasa-sdk.
    """

    general_response: Text = ""

    def __init__(self, client: Optional[MemberClient] = None) -> None:
        self._client = client

    @property
    def client(self) -> MemberClient:
        return self._client or shared_client()

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        identity = identify(tracker)
        if identity.member_id is None:
            dispatcher.utter_message(response=self.general_response)
            dispatcher.utter_message(
                response="utter_login_expired"
                if identity.problem == EXPIRED
                else "utter_login_invitation"
            )
            return []
        try:
            return await self.answer(dispatcher, tracker, identity.member_id)
        except MemberNotFound:
            dispatcher.utter_message(response="utter_member_not_found")
        except RightsClosed:
            dispatcher.utter_message(response="utter_rights_closed")
        except MemberSystemError:
            # Down, slow, or refusing our request: the member gets a way forward, not an error.
            dispatcher.utter_message(response="utter_backend_unavailable")
        return []

    @abstractmethod
    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, member_id: str
    ) -> List[EventType]:
        """Answers from the file of `member_id`, whose token was verified."""


def latest_entity(tracker: Tracker, entity: str) -> Optional[str]:
    """The value of `entity` in the member's latest message, if they named one."""
    values = [
        e.get("value")
        for e in (tracker.latest_message or {}).get("entities", [])
        if e.get("entity") == entity and e.get("value")
    ]
    return str(values[-1]) if values else None
