"""The action server's client against the real service, healthy, slow and failing."""

from __future__ import annotations

import random
import time
from datetime import date
from decimal import Decimal

import pytest
from ms_service import API_KEY, free_port

from actions import settings
from actions.member_client import (
    CareCostEstimate,
    MemberClient,
    MemberNotFound,
    MemberSystemUnavailable,
    ReimbursementPage,
    RightsClosed,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def client(member_service):
    """A client for one test. A plain fixture, used as `async with client:` in the test, so that
    the HTTP pool is opened and closed in the test's own event loop."""
    return MemberClient(member_service.url, API_KEY, timeout=2.0)


def test_defaults_come_from_settings_and_nothing_happens_at_construction(monkeypatch):
    monkeypatch.setenv("MEMBER_SYSTEM_URL", "http://member-system.internal:9000/")
    monkeypatch.setenv("MEMBER_SYSTEM_API_KEY", "k")
    monkeypatch.setenv("MEMBER_SYSTEM_TIMEOUT", "1.5")
    member_client = MemberClient()
    assert member_client.base_url == "http://member-system.internal:9000"
    assert member_client.timeout == 1.5
    assert member_client._http is None, "the HTTP client is created lazily"


def test_development_defaults_match_the_service(monkeypatch):
    from member_system.config import DEFAULT_PORT, DEV_API_KEY
    from member_system.token import DEV_SECRET

    for name in ("MEMBER_SYSTEM_API_KEY", "MEMBER_SYSTEM_URL", "MEMBER_TOKEN_SECRET"):
        monkeypatch.delenv(name, raising=False)
    assert settings.member_system_api_key() == DEV_API_KEY
    assert settings.member_system_url().endswith(f":{DEFAULT_PORT}")
    assert settings.member_token_secret() == DEV_SECRET


async def test_typed_reimbursements(client):
    async with client:
        page = await client.list_reimbursements("P-CLAIRE-REMB", limit=100)
        assert isinstance(page, ReimbursementPage) and page.total == len(page.items)
        paid = next(r for r in page.items if r.status == "paid" and r.care_type == "generaliste")
        assert isinstance(paid.care_date, date) and isinstance(paid.payment_date, date)
        assert paid.amount_reimbursed == Decimal("19.00")
        assert paid.amount_paid == Decimal("30.00")
        rejected = [r for r in page.items if r.status == "rejected"]
        assert all(r.rejection_reason and r.amount_reimbursed == 0 for r in rejected)
        one = await client.get_reimbursement("P-CLAIRE-REMB", paid.id)
        assert one == paid


async def test_filters_are_passed(client):
    async with client:
        page = await client.list_reimbursements(
            "P-CLAIRE-REMB", status="pending", care_type="kinesitherapeute"
        )
        assert [r.care_type for r in page.items] == ["kinesitherapeute"]
        empty = await client.list_reimbursements(
            "P-CLAIRE-REMB", date_from=date(2001, 1, 1), date_to=date(2001, 12, 31)
        )
        assert empty.total == 0 and empty.items == ()


async def test_every_read(client):
    async with client:
        member = await client.get_member("P-SOPHIE-FAMILLE")
        assert member.rights_open and len(member.dependents) == 3
        assert isinstance(member.dependents[0].birth_date, date)
        leaves = await client.list_sick_leaves("P-KARIM-IJ")
        assert leaves[0].allowance_status == "blocked"
        assert leaves[0].missing_documents[0].code == "attestation_salaire"
        julie = (await client.list_sick_leaves("P-JULIE-MATERNITE"))[0]
        assert julie.payments[0].amount == julie.daily_amount * julie.payments[0].days
        card = await client.get_vitale_card("P-ANTOINE-VITALE")
        assert card.order.status == "en_fabrication" and isinstance(card.order.ordered_on, date)
        gp = await client.get_gp("P-LEA-SANS-MT")
        assert gp.declared is False and gp.doctor_name is None
        c2s = await client.get_c2s("P-THOMAS-C2S-ATTENTE")
        assert c2s.status == "pending" and c2s.expected_decision_by > date.today()
        ald = await client.get_ald("P-MICHEL-ALD")
        assert ald.has_active_ald and ald.items[0].end_date > date.today()


async def test_estimate(client):
    async with client:
        estimate = await client.estimate_care_cost("P-MICHEL-ALD", "generaliste", ald_related=False)
        assert isinstance(estimate, CareCostEstimate)
        assert (estimate.reimbursement_rate, estimate.left_to_pay) == (70, Decimal("11.00"))
        assert estimate.source_urls
        glasses = await client.estimate_care_cost("P-CLAIRE-REMB", "lunettes")
        assert glasses.estimate_available is False and glasses.no_estimate_reason


async def test_writes(client):
    async with client:
        certificate = await client.create_rights_certificate("P-NADIA-C2S")
        assert certificate.document_id.startswith("DOC-") and certificate.link.endswith(
            certificate.document_id
        )
        ticket = await client.create_ticket("P-NADIA-C2S", "c2s", "Renouvellement", "Question C2S")
        assert ticket.expected_reply_by > date.today()
        assert (await client.list_tickets("P-NADIA-C2S"))[0].id == ticket.id
        first = await client.declare_vitale_loss("M-100012", "lost")
        second = await client.declare_vitale_loss("M-100012", "lost")
        assert first.created and not second.created and first.id == second.id


async def test_not_found_and_rights_closed(client):
    async with client:
        with pytest.raises(MemberNotFound):
            await client.get_member("M-999999")
        with pytest.raises(MemberNotFound):
            await client.get_reimbursement("P-CLAIRE-REMB", "R-999999")
        with pytest.raises(RightsClosed):
            await client.create_rights_certificate("P-HUGO-DROITS-FERMES")


async def test_connections_are_reused(client):
    async with client:
        await client.get_gp("P-CLAIRE-REMB")
        first = client._http
        await client.get_gp("P-LEA-SANS-MT")
        assert client._http is first


# --- failures ------------------------------------------------------------------------------
async def test_slow_service_times_out_as_unavailable(no_faults):
    no_faults.set_faults(latency_ms=1500)
    async with MemberClient(no_faults.url, API_KEY, timeout=0.3) as slow_client:
        started = time.perf_counter()
        with pytest.raises(MemberSystemUnavailable):
            await slow_client.get_member("P-CLAIRE-REMB")
        elapsed = time.perf_counter() - started
    assert elapsed < 1.5, "two attempts of 0.3 s, not the server's 1.5 s"
    assert no_faults.faults()["requests_seen"] == 2, "one retry"


async def test_failing_service_is_unavailable_after_one_retry(no_faults):
    no_faults.set_faults(error_rate=1.0)
    async with MemberClient(no_faults.url, API_KEY, timeout=2.0) as failing:
        with pytest.raises(MemberSystemUnavailable):
            await failing.list_reimbursements("P-CLAIRE-REMB")
        assert no_faults.faults()["requests_seen"] == 2
        with pytest.raises(MemberSystemUnavailable):
            await failing.create_ticket("P-CLAIRE-REMB", "other", "s", "t")
        assert no_faults.faults()["requests_seen"] == 3, "a ticket is never sent twice"


async def test_retry_rides_out_a_partial_error_rate(no_faults):
    """With a seeded 50 % error rate the outcome of every call is known in advance: replay the
    server's draws and check that the client retried exactly once after each failure."""
    seed, calls, rate = 20261124, 40, 0.5
    no_faults.set_faults(error_rate=rate, seed=seed)
    draws = random.Random(seed)
    expected_successes = expected_requests = 0
    for _ in range(calls):
        expected_requests += 1
        if draws.random() >= rate:
            expected_successes += 1
            continue
        expected_requests += 1
        expected_successes += draws.random() >= rate
    successes = 0
    async with MemberClient(no_faults.url, API_KEY, timeout=2.0) as flaky:
        for _ in range(calls):
            try:
                await flaky.get_gp("P-CLAIRE-REMB")
                successes += 1
            except MemberSystemUnavailable:
                pass
    assert successes == expected_successes
    assert no_faults.faults()["requests_seen"] == expected_requests
    assert successes > calls * (1 - rate) + 3, "the retry recovers most failures"


async def test_unreachable_service_is_unavailable():
    async with MemberClient(f"http://127.0.0.1:{free_port()}", API_KEY, timeout=0.5) as nowhere:
        with pytest.raises(MemberSystemUnavailable):
            await nowhere.get_member("P-CLAIRE-REMB")


async def test_refused_service_key_is_unavailable(member_service):
    async with MemberClient(member_service.url, "not-the-key", timeout=2.0) as wrong:
        with pytest.raises(MemberSystemUnavailable):
            await wrong.get_member("P-CLAIRE-REMB")
