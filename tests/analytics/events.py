"""Synthetic conversation events, as Rasa's event broker hands them over (dicts)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

# A social-security number with a valid key, an IBAN passing mod 97: synthetic, never real.
NIR = "1 85 05 78 006 084 91"
IBAN = "FR76 3000 6000 0112 3456 7890 189"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJQLUNMQUlSRS1SRU1CIn0.c2lnbmF0dXJl"


def user(
    sender: str,
    text: str,
    intent: str = "greet",
    confidence: float = 0.95,
    timestamp: float = 0.0,
    channel: str = "rest",
    ranking: Optional[List[Tuple[str, float]]] = None,
    metadata: Optional[Dict[str, Any]] = None,
) -> Dict[str, Any]:
    ranking = ranking or [(intent, confidence)]
    return {
        "sender_id": sender,
        "event": "user",
        "timestamp": timestamp,
        "text": text,
        "input_channel": channel,
        "message_id": f"m{timestamp}",
        "metadata": dict(metadata or {}),
        "parse_data": {
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "entities": [],
            "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
        },
    }


def action(sender: str, name: str, timestamp: float = 0.0) -> Dict[str, Any]:
    return {"sender_id": sender, "event": "action", "timestamp": timestamp, "name": name}


def slot(sender: str, name: str, value: Any, timestamp: float = 0.0) -> Dict[str, Any]:
    return {
        "sender_id": sender,
        "event": "slot",
        "timestamp": timestamp,
        "name": name,
        "value": value,
    }


def bot(
    sender: str, text: str, timestamp: float = 0.0, custom: Optional[Dict[str, Any]] = None
) -> Dict[str, Any]:
    """A bot message; ``custom`` is what the action sent as ``json_message`` (Rasa keeps it in
    the event's ``data``)."""
    event = {"sender_id": sender, "event": "bot", "timestamp": timestamp, "text": text}
    if custom is not None:
        event["data"] = {
            "elements": None,
            "quick_replies": None,
            "buttons": None,
            "attachment": None,
            "image": None,
            "custom": custom,
        }
    return event


def article_answer(article_id: str, catalogue_key: str = "faq") -> Dict[str, Any]:
    """The ``custom`` field of an answer (knowledge.articles.Article.metadata, shortened)."""
    return {
        "answer": {
            "id": article_id,
            "catalogue_key": catalogue_key,
            "sources": ["https://www.ameli.fr/"],
            "checked": "2026-11-01",
        }
    }


def rewind(sender: str, timestamp: float = 0.0) -> Dict[str, Any]:
    return {"sender_id": sender, "event": "rewind", "timestamp": timestamp}
