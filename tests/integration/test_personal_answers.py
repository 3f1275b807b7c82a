"""Logged in as demo personas over the REST webhook: each gets their own figures, from the
running member-information system; nobody else does."""

from __future__ import annotations

import json
import uuid
from contextlib import contextmanager
from decimal import Decimal

import httpx
import pytest
import redis

from actions.formatting import euros
from member_system.token import issue_token

pytestmark = pytest.mark.integration


def sender() -> str:
    return f"it-{uuid.uuid4().hex[:10]}"


def member_api(stack, path: str, method: str = "GET", **kwargs):
    headers = {"X-API-Key": stack.env["MEMBER_SYSTEM_API_KEY"]}
    response = httpx.request(
        method, f"{stack.member_system_url}{path}", headers=headers, timeout=10, **kwargs
    )
    response.raise_for_status()
    return response.json()


def logged_in(member_id: str) -> dict:
    return {"auth_token": issue_token(member_id, ttl=600)}


@contextmanager
def member_system_failing(stack):
    admin = {"X-API-Key": stack.env["MEMBER_SYSTEM_ADMIN_KEY"]}
    url = f"{stack.member_system_url}/admin/faults"
    httpx.put(url, json={"latency_ms": 0, "error_rate": 1.0}, headers=admin, timeout=5)
    try:
        yield
    finally:
        httpx.put(url, json={"latency_ms": 0, "error_rate": 0.0}, headers=admin, timeout=5)


def test_claire_sees_her_own_latest_reimbursements(stack):
    latest = member_api(stack, "/v1/members/P-CLAIRE-REMB/reimbursements?limit=3")
    answer = stack.texts(sender(), "où en est mon remboursement ?", logged_in("P-CLAIRE-REMB"))
    assert f"({latest['total']} en tout)" in answer
    for item in latest["items"]:
        assert item["care_label"] in answer
        if item["status"] == "paid":
            assert euros(Decimal(item["amount_reimbursed"])) in answer
        if item["status"] == "rejected":
            assert "refusé" in answer


def test_the_same_sender_without_a_token_gets_no_personal_data(stack):
    conversation = sender()
    personal = stack.texts(conversation, "mes remboursements", logged_in("P-CLAIRE-REMB"))
    assert "en tout" in personal
    anonymous = stack.texts(conversation, "mes remboursements")
    assert "en tout" not in anonymous and "connectez-vous" in anonymous
    forged = stack.texts(conversation, "mes remboursements", {"auth_token": "eyJhbGciOi.forged.x"})
    assert "en tout" not in forged


def test_an_expired_token_is_told_apart_from_a_missing_one(stack):
    expired = {"auth_token": issue_token("P-CLAIRE-REMB", ttl=60, now=1_700_000_000)}
    assert "expiré" in stack.texts(sender(), "mes remboursements", expired)


def test_karim_is_told_his_employer_s_certificate_is_missing(stack):
    answer = stack.texts(sender(), "quand vais-je toucher mes IJ ?", logged_in("P-KARIM-IJ"))
    assert "attestation de salaire" in answer.lower() and "employeur" in answer


def test_the_hand_off_creates_a_ticket_visible_in_the_member_system(stack):
    conversation = sender()
    token = logged_in("P-LEA-SANS-MT")
    stack.texts(conversation, "qui est mon médecin traitant ?", token)
    answer = stack.texts(conversation, "je veux parler à un conseiller", token)
    assert "référence" in answer
    tickets = member_api(stack, "/v1/members/P-LEA-SANS-MT/messages")
    summary = tickets["items"][0]["summary"]
    assert "médecin traitant" in summary.lower()
    assert token["auth_token"] not in summary


def test_a_member_system_that_is_down_gets_a_clear_answer_and_the_conversation_goes_on(stack):
    conversation = sender()
    with member_system_failing(stack):
        answer = stack.texts(
            conversation, "où en est mon remboursement ?", logged_in("P-CLAIRE-REMB")
        )
    assert "momentanément indisponible" in answer
    assert "en tout" in stack.texts(conversation, "mes remboursements", logged_in("P-CLAIRE-REMB"))


def test_the_token_is_never_stored(stack, redis_url):
    conversation = sender()
    token = logged_in("P-NADIA-C2S")
    assert "complémentaire santé solidaire" in stack.texts(conversation, "ma C2S", token)
    stored = redis.Redis.from_url(redis_url).lrange(
        f"{stack.key_prefix}:tracker:{conversation}", 0, -1
    )
    assert stored and all(token["auth_token"].encode() not in raw for raw in stored)
    assert any(json.loads(raw).get("event") == "user" for raw in stored)


# Each persona asks the question of their situation; the answer must carry their own figures,
# read here straight from the member-information system.
def _next_payment(stack, member_id):
    leaves = member_api(stack, f"/v1/members/{member_id}/sick-leaves")
    items = leaves["items"] if isinstance(leaves, dict) else leaves
    dates = [i["next_payment_expected_on"] for i in items if i.get("next_payment_expected_on")]
    return dates[0]


def _french_day(iso: str) -> str:
    from datetime import date

    from actions.formatting import day

    return day(date.fromisoformat(iso))


@pytest.mark.parametrize(
    "member_id, question, expected",
    [
        (
            "P-JULIE-MATERNITE",
            "quand sera versé mon prochain paiement d'indemnités ?",
            lambda s: [_french_day(_next_payment(s, "P-JULIE-MATERNITE")), "congé maternité"],
        ),
        (
            "P-NADIA-C2S",
            "mes droits C2S sont ouverts jusqu'à quand ?",
            lambda s: [_french_day(member_api(s, "/v1/members/P-NADIA-C2S/c2s")["rights_end"])],
        ),
        ("P-THOMAS-C2S-ATTENTE", "où en est ma demande de C2S ?", lambda s: ["en cours d'examen"]),
        (
            "P-MICHEL-ALD",
            "suis-je en ALD ?",
            lambda s: [member_api(s, "/v1/members/P-MICHEL-ALD/ald")["items"][0]["label"], "100 %"],
        ),
        (
            "P-LEA-SANS-MT",
            "qui est mon médecin traitant ?",
            lambda s: ["pas déclaré de médecin traitant"],
        ),
        (
            "P-LEA-SANS-MT",
            "combien il me restera à payer chez le généraliste ?",
            lambda s: ["30 %", "vous n'avez pas déclaré de médecin traitant"],
        ),
        ("P-ANTOINE-VITALE", "où en est ma commande de carte vitale ?", lambda s: ["fabrication"]),
        ("P-EMMA-NOUVELLE", "mes remboursements", lambda s: ["aucun remboursement"]),
        (
            "P-HUGO-DROITS-FERMES",
            "il me faut mon attestation de droits",
            lambda s: ["ne sont pas ouverts"],
        ),
        (
            "P-SOPHIE-FAMILLE",
            "mes remboursements",
            lambda s: [
                member_api(s, "/v1/members/P-SOPHIE-FAMILLE/reimbursements?limit=1")["items"][0][
                    "care_label"
                ]
            ],
        ),
        ("P-GERARD-INCOMPLET", "mes remboursements", lambda s: ["en cours de traitement"]),
        (
            "P-CLAIRE-REMB",
            "il me faut une attestation de droits pour ma mutuelle",
            lambda s: ["Télécharger mon attestation"],
        ),
    ],
)
def test_each_persona_gets_their_own_answer(stack, member_id, question, expected):
    answer = stack.texts(sender(), question, logged_in(member_id))
    for fragment in expected(stack):
        assert fragment in answer, (fragment, answer)


def test_a_lost_card_is_declared_once_after_confirmation(stack):
    conversation = sender()
    token = logged_in("P-GERARD-INCOMPLET")
    ask = stack.texts(conversation, "je veux déclarer la perte de ma carte vitale", token)
    assert "Confirmez-vous" in ask
    before = member_api(stack, "/v1/members/P-GERARD-INCOMPLET/vitale-card")
    assert before["open_loss_declaration"] is None  # nothing declared before the "oui"
    done = stack.texts(conversation, "oui", token)
    assert "C'est fait" in done
    again = stack.texts(conversation, "je veux déclarer la perte de ma carte vitale", token)
    assert "déclaré la perte" in again  # already declared: no second declaration
