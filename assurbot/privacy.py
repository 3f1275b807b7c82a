"""What never reaches a store: the member's token, and personal data they typed.

The channel passes the signed token in the message metadata (`auth_token`); the action server
reads it on the current turn, straight from the tracker Rasa sends it. Before a tracker is
stored, the token is taken out of the events that carry metadata, so a stored conversation
holds none, and a later message must bring its own.
"""

from __future__ import annotations

import copy
from typing import Any, Dict, Iterable

from rasa.shared.core.events import Event, SlotSet, UserUttered

from assurbot.personal_data import mask

SECRET_METADATA_KEYS = ("auth_token",)
SESSION_METADATA_SLOT = "session_started_metadata"


def _without_secrets(metadata: Any) -> Any:
    if isinstance(metadata, dict) and any(k in metadata for k in SECRET_METADATA_KEYS):
        return {k: v for k, v in metadata.items() if k not in SECRET_METADATA_KEYS}
    return metadata


def strip_secrets(events: Iterable[Event]) -> None:
    """Removes tokens from the events, in place."""
    for event in events:
        if isinstance(event, UserUttered):
            # The channels mask personal data before Rasa sees it; this is the second line,
            # for messages that reach the store another way (HTTP API, another channel).
            if event.text:
                masked, found = mask(event.text)
                if found:
                    event.text = masked
                    if isinstance(event.parse_data, dict):
                        event.parse_data["text"] = masked
            event.metadata = _without_secrets(event.metadata)
            if isinstance(event.parse_data, dict) and "metadata" in event.parse_data:
                event.parse_data["metadata"] = _without_secrets(event.parse_data["metadata"])
        elif isinstance(event, SlotSet) and event.key == SESSION_METADATA_SLOT:
            event.value = _without_secrets(event.value)


def strip_secrets_from_dict(event: Dict[str, Any]) -> Dict[str, Any]:
    """The same for one event as an event broker receives it (a dict), returned as a copy.

    The dict goes through the Event class and back, so there is one set of rules; only the
    `sender_id` Rasa adds beside the event's own fields is carried over.
    """
    if event.get("event") not in (UserUttered.type_name, SlotSet.type_name):
        return copy.deepcopy(event)
    parsed = Event.from_parameters(copy.deepcopy(event))
    strip_secrets([parsed])
    clean = parsed.as_dict()
    if "sender_id" in event:
        clean["sender_id"] = event["sender_id"]
    return clean
