"""Who is asking: the member id from the signed token of the current message, or why not.

The website and the app send the token in `metadata.auth_token` with every message. Only the
current message counts: a token seen earlier in the conversation (the stores keep none) or a
sender id grants nothing.
"""

from __future__ import annotations

from typing import NamedTuple, Optional

from rasa_sdk import Tracker

from actions import settings
from member_system.token import TokenExpired, TokenInvalid, verify_token

MISSING = "missing"
EXPIRED = "expired"
INVALID = "invalid"


class Identity(NamedTuple):
    member_id: Optional[str]
    problem: Optional[str] = None  # MISSING, EXPIRED or INVALID when member_id is None


def identify(tracker: Tracker) -> Identity:
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    token = metadata.get("auth_token") if isinstance(metadata, dict) else None
    if not token or not isinstance(token, str):
        return Identity(None, MISSING)
    try:
        return Identity(verify_token(token, secret=settings.member_token_secret()))
    except TokenExpired:
        return Identity(None, EXPIRED)
    except TokenInvalid:
        return Identity(None, INVALID)
