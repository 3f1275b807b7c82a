"""Who may reach what: the authorisation matrix, the closed back ends, CORS and the limits.

Member A is Claire (P-CLAIRE-REMB), member B is Karim (P-KARIM-IJ). Whatever A tries — B's
token swapped in, B's conversation id, a forged, expired or tampered token, a button payload
naming B — A never reads B's file, and B's figures never appear in an answer to A.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from decimal import Decimal

import httpx
import jwt
import pytest

from actions.formatting import euros
from member_system.token import issue_token

pytestmark = pytest.mark.integration

A, B = "P-CLAIRE-REMB", "P-KARIM-IJ"
QUESTION = "où en est mon remboursement ?"


def member_api(stack, path: str):
    headers = {"X-API-Key": stack.env["MEMBER_SYSTEM_API_KEY"]}
    reply = httpx.get(f"{stack.member_system_url}{path}", headers=headers, timeout=10)
    reply.raise_for_status()
    return reply.json()


def figures_of(stack, member: str) -> set:
    """Strings that only member's file puts in an answer: amounts and care labels."""
    items = member_api(stack, f"/v1/members/{member}/reimbursements?limit=3")["items"]
    out = set()
    for item in items:
        if item.get("amount_reimbursed"):
            out.add(euros(Decimal(item["amount_reimbursed"])))
    return out


def sender() -> str:
    return "acl-" + uuid.uuid4().hex


def tampered(token: str, member: str) -> str:
    """The token with its payload rewritten to another member, signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = member
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def attempts(stack) -> dict:
    now = int(time.time())
    claims = {"sub": B, "iat": now, "exp": now + 600}
    return {
        "no token": None,
        "forged (other secret)": jwt.encode(claims, "not-the-secret", algorithm="HS256"),
        "forged (alg none)": jwt.encode(claims, None, algorithm="none"),
        "expired": issue_token(B, now=now - 7200, ttl=60),
        "tampered (A's token, B's id)": tampered(issue_token(A), B),
        "garbage": "abc.def.ghi",
    }


@pytest.fixture(scope="module")
def b_figures(stack):
    figures = figures_of(stack, B) - figures_of(stack, A)
    assert figures, "the test needs figures that only B's file has"
    return figures


@pytest.mark.parametrize(
    "kind",
    [
        "no token",
        "forged (other secret)",
        "forged (alg none)",
        "expired",
        "tampered (A's token, B's id)",
        "garbage",
    ],
)
def test_no_valid_token_no_personal_data(stack, b_figures, kind):
    token = attempts(stack)[kind]
    metadata = {"auth_token": token} if token else None
    answer = stack.texts(sender(), QUESTION, metadata)
    assert answer, "a clear answer, not silence"
    assert not any(f in answer for f in b_figures)
    assert "connect" in answer.lower()  # "connectez-vous" / "reconnecter": the way forward


def test_reusing_bs_conversation_id_does_not_reveal_bs_answers(stack, b_figures):
    conversation = sender()
    b_answer = stack.texts(conversation, QUESTION, {"auth_token": issue_token(B)})
    assert any(f in b_answer for f in b_figures)
    # A (or anyone) sends on the same conversation id: with no token, or with A's own
    for metadata in (None, {"auth_token": issue_token(A)}):
        answer = stack.texts(conversation, QUESTION, metadata)
        assert not any(f in answer for f in b_figures)


def test_a_swapped_token_mid_conversation_gives_the_new_tokens_member_only(stack, b_figures):
    conversation = sender()
    stack.texts(conversation, QUESTION, {"auth_token": issue_token(B)})
    answer = stack.texts(conversation, QUESTION, {"auth_token": issue_token(A)})
    assert not any(f in answer for f in b_figures)
    a_total = member_api(stack, f"/v1/members/{A}/reimbursements?limit=3")["total"]
    assert f"({a_total} en tout)" in answer, answer


@pytest.mark.parametrize(
    "payload",
    [
        '/check_reimbursement_status{"member_id": "P-KARIM-IJ"}',
        '/check_reimbursement_status{"sub": "P-KARIM-IJ", "auth_token": "x"}',
        '/request_rights_certificate{"member_id": "P-KARIM-IJ"}',
    ],
)
def test_a_crafted_button_payload_cannot_name_another_member(stack, b_figures, payload):
    answer = stack.texts(sender(), payload, {"auth_token": issue_token(A)})
    assert not any(f in answer for f in b_figures)


def test_rasas_http_api_needs_the_token(stack):
    url = f"{stack.rasa_url}/conversations/{sender()}/tracker"
    assert httpx.get(url, timeout=10).status_code == 401
    assert httpx.get(url, params={"token": "wrong"}, timeout=10).status_code == 401
    ok = httpx.get(url, params={"token": stack.env["RASA_API_TOKEN"]}, timeout=10)
    assert ok.status_code == 200
    assert httpx.post(f"{stack.rasa_url}/model/parse", json={"text": "x"}).status_code == 401


def test_the_action_server_answers_only_rasas_key(stack):
    url = stack.env["ACTION_SERVER_URL"]
    body = {"next_action": "action_check_reimbursement_status", "sender_id": "x", "tracker": {}}
    assert httpx.post(url, json=body, timeout=10).status_code == 401
    wrong = {"X-Action-Server-Key": "wrong"}
    assert httpx.post(url, json=body, headers=wrong, timeout=10).status_code == 401
    base = url.rsplit("/webhook", 1)[0]
    assert httpx.get(f"{base}/actions", timeout=10).status_code == 401
    assert httpx.get(f"{base}/health", timeout=10).status_code == 200
    key = {"X-Action-Server-Key": stack.env["ACTION_SERVER_API_KEY"]}
    assert httpx.get(f"{base}/actions", headers=key, timeout=10).status_code == 200


def test_the_member_system_answers_only_service_keys(stack):
    url = f"{stack.member_system_url}/v1/members/{A}/reimbursements"
    assert httpx.get(url, timeout=10).status_code == 401
    assert httpx.get(url, headers={"X-API-Key": "wrong"}, timeout=10).status_code == 401
    admin = f"{stack.member_system_url}/admin/faults"
    service_key = {"X-API-Key": stack.env["MEMBER_SYSTEM_API_KEY"]}
    assert httpx.put(admin, json={}, headers=service_key, timeout=10).status_code in (401, 403)


def test_cors_allows_no_origin_that_is_not_configured(stack):
    evil = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    for path in ("/webhooks/rest/webhook", "/conversations/x/tracker"):
        reply = httpx.options(f"{stack.rasa_url}{path}", headers=evil, timeout=10)
        assert "https://evil.example" not in reply.headers.get("access-control-allow-origin", "")
        assert reply.headers.get("access-control-allow-origin") != "*"
    # socket.io refuses the handshake from a foreign page
    polling = httpx.get(
        f"{stack.rasa_url}/socket.io/",
        params={"EIO": "4", "transport": "polling"},
        headers={"Origin": "https://evil.example"},
        timeout=10,
    )
    assert polling.status_code >= 400


def test_a_conversation_over_the_rate_limit_gets_a_polite_answer(stack):
    conversation = sender()
    limit = int(stack.env.get("RATE_LIMIT_MESSAGES") or 30)
    answers = [stack.texts(conversation, "bonjour") for _ in range(limit + 2)]
    assert "Patientez une minute" not in answers[0]
    assert "Patientez une minute" in answers[-1]
    assert "Patientez une minute" not in stack.texts(sender(), "bonjour")  # others go on
