"""The channels members use, each behind the same guard.

The guard, for every channel: an empty or over-long message gets a polite French answer
without reaching the model; personal data (NIR, IBAN, card, phone, e-mail) is masked before
Rasa sees the text, so no store, broker or log ever holds it, and the member is told kindly
not to send it; whatever breaks behind, the member gets an answer.

The REST webhook is the mobile app's contract: same URL and answers as Rasa's `rest` channel
(POST /webhooks/rest/webhook), and a malformed body gets 400 with a reason, never a 500.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from assurbot.personal_data import WARNING, mask

logger = logging.getLogger(__name__)

MAX_SENDER_CHARS = 128
MAX_METADATA_BYTES = 8_192

EMPTY_MESSAGE = "Votre message est vide. Posez-moi votre question en quelques mots."
TECHNICAL_PROBLEM = (
    "Je rencontre un problème technique et ne peux pas vous répondre pour le moment. "
    "Réessayez dans quelques minutes, ou appelez le 3646 (service gratuit + prix de l'appel)."
)


def max_message_chars() -> int:
    return int(os.environ.get("MAX_MESSAGE_CHARS") or 2_000)


def too_long_message() -> str:
    return (
        f"Votre message est trop long (plus de {max_message_chars()} caractères). "
        "Posez-moi votre question en quelques mots ; pour un long courrier, écrivez à un "
        "conseiller depuis la messagerie de votre compte ameli."
    )


def validate(body: Any) -> Tuple[Optional[Dict[str, Any]], Optional[str]]:
    """The request's fields, or the reason the body is refused."""
    if not isinstance(body, dict):
        return None, "the body must be a JSON object"
    sender, message, metadata = body.get("sender"), body.get("message"), body.get("metadata")
    if not isinstance(sender, str) or not sender.strip():
        return None, "'sender' must be a non-empty string (the conversation id)"
    if len(sender) > MAX_SENDER_CHARS or any(ord(c) < 32 for c in sender):
        return None, f"'sender' must be at most {MAX_SENDER_CHARS} printable characters"
    if message is None or not isinstance(message, str):
        return None, "'message' must be a string"
    if metadata is not None and not isinstance(metadata, dict):
        return None, "'metadata' must be a JSON object"
    if metadata is not None and len(json.dumps(metadata)) > MAX_METADATA_BYTES:
        return None, f"'metadata' must be at most {MAX_METADATA_BYTES} bytes"
    token = (metadata or {}).get("auth_token")
    if token is not None and not isinstance(token, str):
        return None, "'metadata.auth_token' must be a string"
    return {"sender": sender, "message": message, "metadata": metadata}, None


OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def guarded(on_new_message: OnNewMessage) -> OnNewMessage:
    """Wraps Rasa's message handler with the checks every channel shares."""

    async def handle(message: UserMessage) -> None:
        text = message.text or ""
        out = message.output_channel
        if not text.strip():
            await out.send_text_message(message.sender_id, EMPTY_MESSAGE)
            return
        if len(text) > max_message_chars():
            await out.send_text_message(message.sender_id, too_long_message())
            return
        masked, found = mask(text)
        if found:
            message.text = masked
            await out.send_text_message(message.sender_id, WARNING)
        try:
            await on_new_message(message)
        except Exception:  # the member gets an answer whatever broke behind
            logger.exception("Could not handle a message of conversation %s", message.sender_id)
            await out.send_text_message(message.sender_id, TECHNICAL_PROBLEM)

    return handle


class MemberSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel (the website chat) behind the guard."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        return super().blueprint(guarded(on_new_message))


class MemberRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = Blueprint("member_rest_webhook", __name__)
        handle = guarded(on_new_message)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = json.loads(request.body or b"")
            except (ValueError, UnicodeDecodeError):
                return bad_request("the body is not valid JSON")
            fields, reason = validate(body)
            if fields is None:
                return bad_request(reason or "invalid body")
            collector = CollectingOutputChannel()
            await handle(
                UserMessage(
                    fields["message"],
                    collector,
                    fields["sender"],
                    input_channel=self.name(),
                    metadata=fields["metadata"],
                )
            )
            if not collector.messages:
                collector.messages.append(answer(fields["sender"], TECHNICAL_PROBLEM))
            return response.json(collector.messages)

        return webhook


def bad_request(reason: str) -> HTTPResponse:
    return response.json({"error": "bad_request", "reason": reason}, status=400)


def answer(sender: str, text: str) -> Dict[str, Any]:
    return {"recipient_id": sender, "text": text}


__all__: List[str] = ["MemberRestInput", "MemberSocketIOInput", "guarded", "validate"]
