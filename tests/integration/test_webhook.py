"""The REST webhook called as the mobile app calls it: the app's contract."""

from __future__ import annotations

import uuid

import httpx
import pytest

from member_system.token import issue_token

pytestmark = pytest.mark.integration


def post(stack, body, raw: bytes | None = None) -> httpx.Response:
    url = f"{stack.rasa_url}/webhooks/rest/webhook"
    if raw is not None:
        return httpx.post(
            url, content=raw, headers={"Content-Type": "application/json"}, timeout=30
        )
    return httpx.post(url, json=body, timeout=30)


def test_the_app_gets_text_and_buttons_it_can_render(stack):
    sender = f"app-{uuid.uuid4().hex[:8]}"
    token = issue_token("P-LEA-SANS-MT", ttl=600)
    response = post(
        stack,
        {
            "sender": sender,
            "message": "qui est mon médecin traitant ?",
            "metadata": {"auth_token": token},
        },
    )
    assert response.status_code == 200
    [message] = response.json()
    assert message["recipient_id"] == sender
    assert "pas déclaré de médecin traitant" in message["text"]
    assert message["buttons"] == [
        {"title": "Déclarer un médecin traitant", "payload": "/declare_gp"}
    ]
    # The app sends a button's payload back as the next message.
    follow = post(stack, {"sender": sender, "message": "/declare_gp"}).json()
    assert "](https://" in follow[0]["text"]  # a link to the official page


def test_opening_a_conversation_from_a_journey_page(stack):
    sender = f"app-{uuid.uuid4().hex[:8]}"
    replies = post(
        stack,
        {"sender": sender, "message": "/session_start", "metadata": {"journey": "vaccination"}},
    ).json()
    assert "vaccination" in replies[0]["text"]


@pytest.mark.parametrize(
    "body, reason",
    [
        ([1, 2], "JSON object"),
        ({"message": "bonjour"}, "'sender'"),
        ({"sender": "", "message": "bonjour"}, "'sender'"),
        ({"sender": "x", "message": 42}, "'message'"),
        ({"sender": "x", "message": "bonjour", "metadata": "token"}, "'metadata'"),
        ({"sender": "x", "message": "bonjour", "metadata": {"auth_token": 1}}, "auth_token"),
        ({"sender": "x" * 500, "message": "bonjour"}, "'sender'"),
    ],
)
def test_a_malformed_body_gets_400_with_a_reason(stack, body, reason):
    response = post(stack, body)
    assert response.status_code == 400
    assert reason in response.json()["reason"]


def test_a_body_that_is_not_json_gets_400(stack):
    response = post(stack, None, raw=b"{not json")
    assert response.status_code == 400 and "JSON" in response.json()["reason"]


def test_empty_and_over_long_messages_get_a_polite_answer(stack):
    sender = f"app-{uuid.uuid4().hex[:8]}"
    assert "vide" in post(stack, {"sender": sender, "message": "   "}).json()[0]["text"]
    long = post(stack, {"sender": sender, "message": "a" * 10_000}).json()
    assert "trop long" in long[0]["text"]
    assert "Assurbot" in post(stack, {"sender": sender, "message": "bonjour"}).json()[0]["text"]
