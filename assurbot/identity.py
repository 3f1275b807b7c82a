"""Which member a conversation belongs to, without keeping who they are.

The channel checks the member's signed token (the same check as the action server) and adds
to the message's metadata a pseudonymous ``member_ref``: an HMAC of the member id under a
server secret. Stored conversations then carry the ref, never the id nor the token, and the
rights of access and erasure (``python -m assurbot.gdpr``) find a member's conversations by
computing the same ref from the id the member gives. A ``member_ref`` sent by a client is
always discarded: only a valid token yields one.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from typing import Any, Dict, Optional

from member_system.token import TokenError, verify_token

REF_KEY = "member_ref"


def _secret() -> bytes:
    # A dedicated secret when set; else derived from the token secret, so that a deployment
    # with only MEMBER_TOKEN_SECRET set still gets refs nobody can compute from an id alone.
    secret = os.environ.get("MEMBER_REF_SECRET", "").strip()
    if not secret:
        base = os.environ.get("MEMBER_TOKEN_SECRET", "").strip() or "dev-only"
        secret = "member-ref:" + base
    return secret.encode()


def member_ref(member_id: str) -> str:
    """The pseudonymous reference of a member id (stable for a given secret)."""
    digest = hmac.new(_secret(), member_id.strip().encode(), hashlib.sha256).hexdigest()
    return "m_" + digest[:32]


def verified_member(metadata: Any) -> Optional[str]:
    token = metadata.get("auth_token") if isinstance(metadata, dict) else None
    if not isinstance(token, str) or not token:
        return None
    try:
        return verify_token(token)
    except TokenError:
        return None


def with_member_ref(metadata: Any) -> Optional[Dict[str, Any]]:
    """The metadata with the ref of its valid token's member, and no client-made ref."""
    if not isinstance(metadata, dict):
        return metadata
    clean = {k: v for k, v in metadata.items() if k != REF_KEY}
    member = verified_member(clean)
    if member:
        clean[REF_KEY] = member_ref(member)
    return clean
