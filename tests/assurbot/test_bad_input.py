"""Bad input stops at the channel: what the fuzz tests (tests/security) found, pinned down."""

from __future__ import annotations

import json

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from assurbot.channels import (
    EMPTY_MESSAGE,
    guarded,
    refusing_oversized,
    validate,
    validate_socket_event,
)


def deep(levels: int) -> list:
    value: list = []
    for _ in range(levels):
        value = [value]
    return value


@pytest.mark.parametrize(
    "body, reason",
    [
        ({"sender": "a\ud83d", "message": "bonjour"}, "'sender'"),
        ({"sender": "x", "message": "bonjour", "metadata": {"journey": "\udc00"}}, "Unicode"),
        ({"sender": "x", "message": "bonjour", "metadata": {"a": deep(5000)}}, "nested"),
        ({"sender": "x", "message": "bonjour", "metadata": {"a": deep(8)}}, "nested"),
        ({"sender": "x", "message": "bonjour", "metadata": {"auth_token": "é" * 5000}}, "bytes"),
    ],
)
def test_a_body_no_output_could_carry_is_refused_with_a_reason(body, reason):
    fields, refused = validate(body)
    assert fields is None and reason in refused


@pytest.mark.parametrize(
    "data",
    [
        None,
        "bonjour",
        ["bonjour"],
        {"message": ["bonjour"], "session_id": "s1"},
        {"message": {"text": "bonjour"}, "session_id": "s1"},
        {"message": "bonjour", "session_id": ["s1"]},
        {"message": "bonjour", "session_id": {"id": 1}},
        {"message": "bonjour", "session_id": ""},
        {"message": "bonjour"},
        {"message": "bonjour", "session_id": "s1", "metadata": "{not json"},
        {"message": "bonjour", "session_id": "s1", "metadata": "[" * 5000},
        {"message": "bonjour", "session_id": "s1", "metadata": [1]},
        {"message": "bonjour", "session_id": "s1", "metadata": {"auth_token": 7}},
    ],
)
def test_a_malformed_socket_event_is_refused(data):
    fields, reason = validate_socket_event(data, "metadata", "socket-1", True)
    assert fields is None and reason


def test_a_socket_event_as_the_widget_sends_it():
    data = {"message": "bonjour", "session_id": "s1", "metadata": '{"journey": "maternity"}'}
    fields, reason = validate_socket_event(data, "metadata", "socket-1", True)
    assert reason is None
    assert fields == {"sender": "s1", "message": "bonjour", "metadata": {"journey": "maternity"}}
    # Without persistent sessions the conversation is the socket, whatever the payload says.
    fields, _ = validate_socket_event({"message": "x"}, "metadata", "socket-1", False)
    assert fields["sender"] == "socket-1"


async def test_a_lone_surrogate_in_a_message_becomes_a_replacement_character():
    seen = []

    async def rasa(message: UserMessage) -> None:
        seen.append(message.text)

    out = CollectingOutputChannel()
    await guarded(rasa)(UserMessage("mon remboursement \ud83d", out, "s1"))
    assert seen == ["mon remboursement \ufffd"]
    json.dumps(seen, ensure_ascii=False).encode("utf-8")  # any output can carry it now


async def test_a_message_that_is_not_text_gets_the_empty_message_answer():
    async def rasa(message: UserMessage) -> None:
        raise AssertionError("never reaches Rasa")

    out = CollectingOutputChannel()
    message = UserMessage("x", out, "s1")
    message.text = ["pas", "du", "texte"]  # what a channel trusting its payload passes on
    await guarded(rasa)(message)
    assert [m["text"] for m in out.messages] == [EMPTY_MESSAGE]


class FakeEngineIO:
    max_http_buffer_size = 1_000

    def __init__(self) -> None:
        self.handled = 0

    async def handle_request(self, request):
        self.handled += 1
        return "handled"


class FakeRequest:
    def __init__(self, length: str) -> None:
        self.headers = {"content-length": length}


@pytest.mark.parametrize("length, passed", [("0", True), ("1000", True), ("1001", False)])
async def test_an_oversized_socket_io_request_is_refused_at_once(length, passed):
    eio = FakeEngineIO()
    answer = await refusing_oversized(eio)(FakeRequest(length))
    assert (eio.handled == 1) is passed
    if not passed:
        assert answer.status == 413
