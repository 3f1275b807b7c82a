"""The channels members use, each behind the same guard.

The guard, for every channel: an empty or over-long message gets a polite French answer
without reaching the model; personal data (NIR, IBAN, card, phone, e-mail) is masked before
Rasa sees the text, so no store, broker or log ever holds it, and the member is told kindly
not to send it; whatever breaks behind, the member gets an answer.

The REST webhook is the mobile app's contract: same URL and answers as Rasa's `rest` channel
(POST /webhooks/rest/webhook), and a malformed body gets 400 with a reason, never a 500.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from assurbot import health as readiness_checks
from assurbot import identity, limits, resilience, speed
from assurbot.personal_data import WARNING, mask

logger = logging.getLogger(__name__)

# Rasa imports this module when it builds the channels, before it loads the model: the place
# where the parse and prediction caches can be put in front of the model (see speed.py).
speed.install()
# And a custom action that cannot run answers the technical problem (see resilience.py).
resilience.install()

MAX_SENDER_CHARS = 128
MAX_METADATA_BYTES = 8_192
MAX_METADATA_DEPTH = 8  # the app sends one level ({"auth_token", "journey"})
# A lone UTF-16 surrogate (a JavaScript app that cuts a message inside an emoji sends one):
# no UTF-8 output can carry it, so it never goes further than the channel.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")

UNREADABLE_MESSAGE = (
    "Je n'ai pas pu lire votre message. Rechargez la page, puis posez votre question à nouveau."
)
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


def validate_sender(sender: Any) -> Optional[str]:
    """Why `sender` cannot be a conversation id, or None when it can."""
    if not isinstance(sender, str) or not sender.strip():
        return "'sender' must be a non-empty string (the conversation id)"
    if (
        len(sender) > MAX_SENDER_CHARS
        or any(ord(c) < 32 for c in sender)
        or LONE_SURROGATE.search(sender)
    ):
        return f"'sender' must be at most {MAX_SENDER_CHARS} printable characters"
    return None


def nests_deeper(value: Any, levels: int) -> bool:
    """True when `value` holds lists or objects more than `levels` deep."""
    if not isinstance(value, (dict, list)):
        return False
    if levels == 0:
        return True
    children = value.values() if isinstance(value, dict) else value
    return any(nests_deeper(child, levels - 1) for child in children)


def validate(body: Any) -> Tuple[Optional[Dict[str, Any]], Optional[str]]:
    """The request's fields, or the reason the body is refused."""
    if not isinstance(body, dict):
        return None, "the body must be a JSON object"
    sender, message, metadata = body.get("sender"), body.get("message"), body.get("metadata")
    refused = validate_sender(sender)
    if refused:
        return None, refused
    if message is None or not isinstance(message, str):
        return None, "'message' must be a string"
    if metadata is not None and not isinstance(metadata, dict):
        return None, "'metadata' must be a JSON object"
    if metadata is not None:
        if nests_deeper(metadata, MAX_METADATA_DEPTH):
            return None, f"'metadata' must be nested at most {MAX_METADATA_DEPTH} levels deep"
        serialized = json.dumps(metadata, ensure_ascii=False)
        if len(serialized.encode("utf-8", "surrogatepass")) > MAX_METADATA_BYTES:
            return None, f"'metadata' must be at most {MAX_METADATA_BYTES} bytes"
        if LONE_SURROGATE.search(serialized):
            return None, "'metadata' must be valid Unicode (it holds a lone surrogate)"
    token = (metadata or {}).get("auth_token")
    if token is not None and not isinstance(token, str):
        return None, "'metadata.auth_token' must be a string"
    return {"sender": sender, "message": message, "metadata": metadata}, None


def validate_socket_event(
    data: Any, metadata_key: str, socket_id: str, session_persistence: bool
) -> Tuple[Optional[Dict[str, Any]], Optional[str]]:
    """A socket.io message event ({session_id, message, metadata}) checked as a REST body.

    The conversation is the session id when sessions persist (the widget's case), else the
    socket; metadata may come as JSON text, as Rasa's channel accepts it.
    """
    if not isinstance(data, dict):
        return None, "the payload must be an object"
    metadata = data.get(metadata_key)
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata)
        except (ValueError, RecursionError):
            return None, f"'{metadata_key}' is not valid JSON"
    sender = data.get("session_id") if session_persistence else socket_id
    return validate({"sender": sender, "message": data.get("message", ""), "metadata": metadata})


OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def guarded(on_new_message: OnNewMessage) -> OnNewMessage:
    """Wraps Rasa's message handler with the checks every channel shares."""

    async def handle(message: UserMessage) -> None:
        text = message.text if isinstance(message.text, str) else ""
        message.text = text = LONE_SURROGATE.sub("\ufffd", text)
        out = message.output_channel
        if not limits.limiter().allow(message.sender_id):
            await out.send_text_message(message.sender_id, limits.TOO_MANY_MESSAGES)
            return
        # Only a valid token gives the conversation a (pseudonymous) member reference.
        message.metadata = identity.with_member_ref(message.metadata)
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


class AnswerCollectingOutput(CollectingOutputChannel):
    """REST: every message of an answer keeps the answer's `custom` field (its article or
    action, catalogue key, sources and check date: README, « Réponses lisibles par
    l'application »). Rasa's own channel sends `custom` as a separate, text-less message."""

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        custom = message.pop("custom", None)
        first = len(self.messages)
        await super().send_response(recipient_id, message)
        if custom is None:
            return
        if len(self.messages) == first:  # a custom payload alone
            await self.send_custom_json(recipient_id, custom)
        for sent in self.messages[first:]:
            sent["custom"] = custom


class AnswerSocketIOOutput(SocketIOOutput):
    """socket.io: the same as AnswerCollectingOutput, for the website chat."""

    def __init__(self, sio: Any, bot_message_evt: Text) -> None:
        super().__init__(sio, bot_message_evt)
        self._custom: Optional[Dict[Text, Any]] = None
        self._sent = 0

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        self._custom, self._sent = message.pop("custom", None), 0
        try:
            await super().send_response(recipient_id, message)
            if self._custom is not None and self._sent == 0:
                await self._send_message(recipient_id, {})
        finally:
            self._custom = None

    async def _send_message(self, socket_id: Text, response: Any) -> None:
        if self._custom is not None and isinstance(response, dict):
            response = {**response, "custom": self._custom}
            self._sent += 1
        await super()._send_message(socket_id, response)


class MemberSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel (the website chat) behind the guard."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        handle = guarded(on_new_message)
        webhook = super().blueprint(handle)
        # Rasa's handlers trust the payload (a list or a dict as `message` raised inside the
        # socket.io server): each event is checked first, as the REST body is, and a malformed
        # one is dropped with a warning; the widget never sends one.
        sio: Any = self.sio
        handlers = sio.handlers[self.namespace or "/"]
        rasa_session_request = handlers["session_request"]

        async def session_request(sid: Text, data: Any = None, *_: Any) -> None:
            session_id = data.get("session_id") if isinstance(data, dict) else None
            if data is not None and (
                not isinstance(data, dict)
                or (session_id is not None and validate_sender(session_id) is not None)
            ):
                logger.warning("socket.io: a malformed session_request was dropped")
                return
            await rasa_session_request(sid, data)

        async def user_message(sid: Text, data: Any = None, *_: Any) -> None:
            fields, reason = validate_socket_event(
                data, self.metadata_key or "metadata", sid, self.session_persistence
            )
            if fields is None:
                logger.warning(
                    "socket.io: a malformed %s was dropped: %s", self.user_message_evt, reason
                )
                # Whoever sent it is told, in the chat's words, rather than left waiting.
                await sio.emit(self.bot_message_evt, {"text": UNREADABLE_MESSAGE}, room=sid)
                return
            # What Rasa's handler does, with an output that keeps each answer's `custom`.
            await handle(
                UserMessage(
                    fields["message"],
                    AnswerSocketIOOutput(sio, self.bot_message_evt),
                    fields["sender"],
                    input_channel=self.name(),
                    metadata=fields["metadata"] or {},
                )
            )

        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on(self.user_message_evt, user_message, namespace=self.namespace)
        sio.eio.handle_request = refusing_oversized(sio.eio)
        # Rasa gives engine.io `cors_allowed_origins=[]`, which skips the origin check: any
        # site could open the chat's socket. Only the configured origins may.
        sio.eio.cors_allowed_origins = allowed_origins()
        return webhook


def allowed_origins() -> List[str]:
    """CORS_ORIGINS (space-separated); empty: the website of this machine (WEB_PORT)."""
    configured = os.environ.get("CORS_ORIGINS", "").split()
    if configured:
        return configured
    port = os.environ.get("WEB_PORT", "8080")
    return [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]


def refusing_oversized(eio: Any) -> Callable[..., Awaitable[Any]]:
    """Engine.IO's request handler, answering 413 to a body over its limit (1 MB).

    python-engineio 4.x leaves such a long-polling POST hanging for ever (it waits, to close
    the session, for a poll the blocked client never makes): each one would hold a request.
    """
    handle_request = eio.handle_request

    @functools.wraps(handle_request)
    async def handle(request: Request, *args: Any, **kwargs: Any) -> Any:
        length = request.headers.get("content-length", "0")
        if not length.isdigit() or int(length) > eio.max_http_buffer_size:
            return response.json({"error": "payload_too_large"}, status=413)
        return await handle_request(request, *args, **kwargs)

    return handle


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

        @webhook.route("/ready", methods=["GET"])
        async def ready(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            is_ready, report = await readiness_checks.readiness(agent)
            return response.json(report, status=200 if is_ready else 503)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = json.loads(request.body or b"")
            except (ValueError, UnicodeDecodeError, RecursionError):
                return bad_request("the body is not valid JSON, or is nested too deeply")
            fields, reason = validate(body)
            if fields is None:
                return bad_request(reason or "invalid body")
            collector = AnswerCollectingOutput()
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


__all__: List[str] = [
    "MemberRestInput",
    "MemberSocketIOInput",
    "guarded",
    "validate",
    "validate_socket_event",
]
