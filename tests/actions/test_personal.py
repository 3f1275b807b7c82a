"""Personal answers: identity first, then the member's own figures, in French form."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from actions.care_cost import ActionEstimateCareCost
from actions.daily_allowance import ActionCheckDailyAllowance
from actions.formatting import day, euros
from actions.handoff import ActionHandOffToAdviser, summarise
from actions.member_client import (
    LossDeclaration,
    MemberSystemUnavailable,
    MissingDocument,
    Reimbursement,
    ReimbursementPage,
    SickLeave,
    Ticket,
    VitaleCard,
)
from actions.periods import resolve_period
from actions.reimbursement import ActionCheckReimbursementStatus
from actions.vitale_card import ActionCheckVitaleCard, ActionDeclareVitaleLoss
from member_system.token import issue_token
from tests.conftest import make_tracker


def token(member_id="P-TEST", ttl=600, now=None):
    return issue_token(member_id, ttl=ttl, now=now)


def reimbursement(**overrides) -> Reimbursement:
    values = dict(
        id="R-1",
        beneficiary_id=None,
        beneficiary_name="Claire Fontaine",
        care_date=date(2026, 3, 3),
        care_type="dermatologue",
        care_label="Consultation de dermatologue",
        practitioner_name="Dr Paul Renaud",
        practitioner_specialty="dermatologue",
        amount_paid=Decimal("60.00"),
        base_amount=Decimal("60.00"),
        reimbursement_rate=70,
        participation_forfaitaire=Decimal("2.00"),
        amount_reimbursed=Decimal("1234.56"),
        status="paid",
        received_on=date(2026, 3, 4),
        payment_date=date(2026, 3, 9),
        rejection_code=None,
        rejection_reason=None,
        paper_form=False,
    )
    values.update(overrides)
    return Reimbursement(**values)


class FakeClient:
    def __init__(self, **answers):
        self.answers = answers
        self.calls = []

    def __getattr__(self, name):
        async def call(*args, **kwargs):
            self.calls.append((name, args, kwargs))
            answer = self.answers[name]
            if isinstance(answer, Exception):
                raise answer
            return answer

        return call


def test_amounts_and_dates_are_in_french_form():
    assert euros(Decimal("1234.56")) == "1\u202f234,56\u00a0€"
    assert day(date(2026, 3, 3)) == "3 mars 2026"
    assert day(date(2026, 3, 1)) == "1er mars 2026"


@pytest.mark.parametrize(
    "words, start, end",
    [
        ("en mars", date(2026, 3, 1), date(2026, 3, 31)),
        ("le mois dernier", date(2026, 10, 1), date(2026, 10, 31)),
        ("depuis le 3 janvier", date(2026, 1, 3), date(2026, 11, 24)),
        ("en décembre", date(2025, 12, 1), date(2025, 12, 31)),
        ("le 12 mars", date(2026, 3, 12), date(2026, 3, 12)),
    ],
)
def test_time_expressions_resolve_to_date_ranges(words, start, end):
    period = resolve_period(words, today=date(2026, 11, 24))
    assert (period.start, period.end) == (start, end)


async def test_without_a_token_the_general_answer_and_a_login_invitation(dispatcher):
    client = FakeClient()
    tracker = make_tracker(intent="check_reimbursement_status")
    await ActionCheckReimbursementStatus(client).run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_reimbursement_general",
        "utter_login_invitation",
    ]
    assert client.calls == []


async def test_an_expired_token_is_told_apart(dispatcher):
    tracker = make_tracker(
        intent="check_reimbursement_status",
        metadata={"auth_token": token(ttl=60, now=1_700_000_000)},
    )
    await ActionCheckReimbursementStatus(FakeClient()).run(dispatcher, tracker, {})
    assert dispatcher.messages[-1]["response"] == "utter_login_expired"


async def test_a_forged_token_gives_nothing(dispatcher):
    forged = token()[:-4] + "abcd"
    client = FakeClient()
    tracker = make_tracker(intent="check_reimbursement_status", metadata={"auth_token": forged})
    await ActionCheckReimbursementStatus(client).run(dispatcher, tracker, {})
    assert dispatcher.messages[-1]["response"] == "utter_login_invitation"
    assert client.calls == []


async def test_reimbursements_are_filtered_and_summarised(dispatcher):
    page = ReimbursementPage("P-TEST", total=5, limit=3, offset=0, items=(reimbursement(),))
    client = FakeClient(list_reimbursements=page)
    tracker = make_tracker(
        intent="check_reimbursement_status",
        metadata={"auth_token": token()},
        entities=[
            {"entity": "care_type", "value": "dermatologue"},
            {"entity": "period", "value": "en mars"},
        ],
    )
    await ActionCheckReimbursementStatus(client).run(dispatcher, tracker, {})
    name, args, kwargs = client.calls[0]
    assert args == ("P-TEST",) and kwargs["care_type"] == "dermatologue"
    assert kwargs["date_from"].month == 3 and kwargs["date_to"].day == 31
    message = dispatcher.messages[0]
    assert message["response"] == "utter_reimbursements"
    assert "1\u202f234,56\u00a0€" in message["lines"] and "le 9 mars 2026" in message["lines"]
    assert "4 autres remboursements" in message["more"]


async def test_a_rejected_reimbursement_is_explained_with_what_to_do(dispatcher):
    rejected = reimbursement(
        status="rejected",
        amount_reimbursed=None,
        payment_date=None,
        rejection_code="prescription_manquante",
        rejection_reason="Prescription manquante : l'ordonnance n'a pas été jointe.",
    )
    page = ReimbursementPage("P-TEST", total=1, limit=3, offset=0, items=(rejected,))
    tracker = make_tracker(intent="check_reimbursement_status", metadata={"auth_token": token()})
    await ActionCheckReimbursementStatus(FakeClient(list_reimbursements=page)).run(
        dispatcher, tracker, {}
    )
    assert "refusé" in dispatcher.messages[0]["lines"]
    assert "ordonnance" in dispatcher.messages[0]["lines"]
    assert dispatcher.messages[1]["response"] == "utter_reimbursement_rejected_next_step"


async def test_a_backend_that_is_down_gets_a_clear_answer(dispatcher):
    client = FakeClient(list_reimbursements=MemberSystemUnavailable("down"))
    tracker = make_tracker(intent="check_reimbursement_status", metadata={"auth_token": token()})
    events = await ActionCheckReimbursementStatus(client).run(dispatcher, tracker, {})
    assert events == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_backend_unavailable"]


async def test_a_blocked_allowance_says_what_is_missing_and_what_to_do(dispatcher):
    leave = SickLeave(
        id="L-1",
        kind="maladie",
        start_date=date(2026, 11, 2),
        end_date=date(2026, 12, 4),
        ongoing=True,
        prescriber=None,
        employer="ACME",
        waiting_days=3,
        daily_amount=None,
        allowance_status="blocked",
        blocked_reason="Nous n'avons pas encore reçu l'attestation de salaire de votre employeur.",
        missing_documents=(
            MissingDocument(
                "attestation_salaire", "Attestation de salaire", "employeur", date(2026, 11, 6)
            ),
        ),
        payments=(),
        total_paid=Decimal("0"),
        last_payment_on=None,
        next_payment_expected_on=None,
    )
    tracker = make_tracker(intent="check_daily_allowance", metadata={"auth_token": token()})
    await ActionCheckDailyAllowance(FakeClient(list_sick_leaves=(leave,))).run(
        dispatcher, tracker, {}
    )
    details = dispatcher.messages[0]["details"]
    assert "attestation de salaire" in details.lower() and "employeur" in details
    assert "aucun paiement" in details


async def test_a_loss_is_declared_only_after_confirmation(dispatcher):
    card = VitaleCard("P-TEST", "active", date(2020, 1, 1), False, None, None)
    client = FakeClient(get_vitale_card=card)
    tracker = make_tracker(
        intent="check_vitale_card",
        text="je veux déclarer le vol de ma carte vitale",
        metadata={"auth_token": token()},
    )
    events = await ActionCheckVitaleCard(client).run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["response"] == "utter_ask_vitale_loss_confirmation"
    assert events[0]["name"] == "vitale_loss_pending" and events[0]["value"] == "stolen"
    assert [c[0] for c in client.calls] == ["get_vitale_card"]

    declaration = LossDeclaration(
        "D-1", "P-TEST", "stolen", datetime(2026, 11, 24, tzinfo=timezone.utc), "open", True
    )
    client = FakeClient(declare_vitale_loss=declaration)
    confirm = make_tracker(
        intent="affirm", slots={"vitale_loss_pending": "stolen"}, metadata={"auth_token": token()}
    )
    dispatcher.messages.clear()
    events = await ActionDeclareVitaleLoss(client).run(dispatcher, confirm, {})
    assert client.calls[0][1] == ("P-TEST", "stolen")
    assert dispatcher.messages[0]["response"] == "utter_vitale_loss_declared"
    assert events[0]["value"] is None


async def test_saying_no_declares_nothing(dispatcher):
    client = FakeClient()
    tracker = make_tracker(
        intent="deny", slots={"vitale_loss_pending": "lost"}, metadata={"auth_token": token()}
    )
    await ActionDeclareVitaleLoss(client).run(dispatcher, tracker, {})
    assert client.calls == []
    assert dispatcher.messages[0]["response"] == "utter_vitale_loss_cancelled"


async def test_the_estimate_asks_which_care_when_none_was_named(dispatcher):
    tracker = make_tracker(intent="estimate_care_cost", metadata={"auth_token": token()})
    await ActionEstimateCareCost(FakeClient()).run(dispatcher, tracker, {})
    message = dispatcher.messages[0]
    assert message["response"] == "utter_ask_care_type"
    assert message["buttons"][0]["payload"] == '/estimate_care_cost{"care_type": "generaliste"}'


async def test_the_hand_off_writes_up_the_conversation_without_the_token(dispatcher):
    secret = token()
    events = [
        {
            "event": "user",
            "text": "où en est mon remboursement du dermato ?",
            "parse_data": {"intent": {"name": "check_reimbursement_status"}},
            "metadata": {"auth_token": secret},
        },
        {"event": "bot", "text": "Vos remboursements (1 en tout) : ..."},
        {
            "event": "user",
            "text": "je veux parler à un conseiller",
            "parse_data": {"intent": {"name": "ask_human"}},
        },
    ]
    ticket = Ticket(
        "T-1",
        "P-TEST",
        "check_reimbursement_status",
        "Suivre mes remboursements",
        "",
        "open",
        datetime(2026, 11, 24),
        date(2026, 11, 26),
    )
    client = FakeClient(create_ticket=ticket)
    tracker = make_tracker(intent="ask_human", events=events, metadata={"auth_token": secret})
    await ActionHandOffToAdviser(client).run(dispatcher, tracker, {})
    _, args, kwargs = client.calls[0]
    assert args == ("P-TEST",) and kwargs["topic"] == "reimbursement"
    assert "dermato" in kwargs["summary"] and secret not in kwargs["summary"]
    assert dispatcher.messages[0]["response"] == "utter_hand_off_done"
    assert dispatcher.messages[0]["reply_by"] == "le 26 novembre 2026"
    assert summarise(tracker).startswith("Sujet : Suivre mes remboursements")


async def test_an_anonymous_visitor_gets_the_phone_number(dispatcher):
    await ActionHandOffToAdviser(FakeClient()).run(dispatcher, make_tracker(intent="ask_human"), {})
    assert dispatcher.messages[0]["response"] == "utter_ask_human_anonymous"
