"""Contract tests: every endpoint of the running member-information system, over HTTP."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import httpx
import pytest
from ms_service import ADMIN_KEY, BENCH_KEY

from member_system.personas import PERSONA_IDS
from member_system.workdays import is_working_day

pytestmark = pytest.mark.integration

TODAY = date.today()
CLAIRE, KARIM, JULIE = "P-CLAIRE-REMB", "P-KARIM-IJ", "P-JULIE-MATERNITE"
NADIA, THOMAS, MICHEL = "P-NADIA-C2S", "P-THOMAS-C2S-ATTENTE", "P-MICHEL-ALD"
LEA, SOPHIE, ANTOINE = "P-LEA-SANS-MT", "P-SOPHIE-FAMILLE", "P-ANTOINE-VITALE"
EMMA, HUGO, GERARD = "P-EMMA-NOUVELLE", "P-HUGO-DROITS-FERMES", "P-GERARD-INCOMPLET"

CARE_TYPES = (
    "generaliste specialiste dermatologue ophtalmologue gynecologue pediatre psychiatre "
    "cardiologue dentiste kinesitherapeute infirmier sage_femme pharmacie lunettes audition "
    "hospitalisation analyses radiologie transport"
).split()

# Every member endpoint: (method, path template, json body)
MEMBER_ENDPOINTS = [
    ("GET", "/v1/members/{id}", None),
    ("GET", "/v1/members/{id}/reimbursements", None),
    ("GET", "/v1/members/{id}/reimbursements/R-000001", None),
    ("GET", "/v1/members/{id}/sick-leaves", None),
    ("POST", "/v1/members/{id}/rights-certificates", None),
    ("GET", "/v1/members/{id}/documents/DOC-1", None),
    ("GET", "/v1/members/{id}/vitale-card", None),
    ("POST", "/v1/members/{id}/vitale-card/loss-declarations", {"reason": "lost"}),
    ("GET", "/v1/members/{id}/gp", None),
    ("GET", "/v1/members/{id}/c2s", None),
    ("GET", "/v1/members/{id}/ald", None),
    ("GET", "/v1/members/{id}/care-cost-estimate?care_type=generaliste", None),
    ("POST", "/v1/members/{id}/messages", {"topic": "other", "subject": "s", "summary": "t"}),
    ("GET", "/v1/members/{id}/messages", None),
]


def last_month() -> tuple[date, date]:
    first = TODAY.replace(day=1)
    end = first - timedelta(days=1)
    return end.replace(day=1), end


# --- service, OpenAPI, authentication --------------------------------------------------------
def test_health_needs_no_key_and_reports_the_seeded_database(member_service):
    body = httpx.get(f"{member_service.url}/health").json()
    assert body["status"] == "ok"
    assert body["database"] == "sqlite"
    assert body["members"] >= 1000 + len(PERSONA_IDS)
    assert body["reference_date"] == TODAY.isoformat()


def test_startup_with_seeding_is_well_under_15_seconds(member_service):
    assert member_service.startup_seconds < 15


def test_openapi_document_lists_every_endpoint_typed(member_service):
    doc = httpx.get(f"{member_service.url}/openapi.json").json()
    paths = doc["paths"]
    for method, template, _ in MEMBER_ENDPOINTS:
        path = template.split("?")[0].replace("{id}", "{member_id}")
        path = path.replace("R-000001", "{reimbursement_id}").replace("DOC-1", "{document_id}")
        assert method.lower() in paths[path], path
        operation = paths[path][method.lower()]
        assert operation["security"] == [{"APIKeyHeader": []}]
        assert "200" in operation["responses"] or "201" in operation["responses"]
    for admin in ("/admin/faults", "/admin/audit", "/health"):
        assert admin in paths
    schemas = doc["components"]["schemas"]
    assert schemas["Reimbursement"]["properties"]["amount_paid"]["pattern"]
    assert schemas["CareType"]["enum"] == CARE_TYPES


@pytest.mark.parametrize("method,template,body", MEMBER_ENDPOINTS)
@pytest.mark.parametrize("key", [None, "wrong-key", ADMIN_KEY])
def test_every_member_endpoint_refuses_a_missing_or_wrong_key(
    member_service, method, template, body, key
):
    headers = {"X-API-Key": key} if key else {}
    response = httpx.request(
        method, member_service.url + template.format(id=CLAIRE), json=body, headers=headers
    )
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_admin_endpoints_refuse_the_service_key(api):
    assert api.get("/admin/faults").status_code == 401
    assert api.put("/admin/faults", json={}).status_code == 401
    assert api.get("/admin/audit").status_code == 401


def test_unknown_member_is_404_and_malformed_id_is_422(api):
    response = api.get("/v1/members/M-999999")
    assert response.status_code == 404
    assert response.json()["code"] == "member_not_found"
    assert api.get("/v1/members/M-999999/reimbursements").status_code == 404
    assert api.get("/v1/members/bad%20id").status_code == 422
    assert api.get("/v1/members/" + "x" * 33).status_code == 422


def test_wrong_method_says_which_methods_are_allowed(api):
    response = api.delete("/v1/members/P-CLAIRE-REMB/messages")
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "POST"}


# --- profile -----------------------------------------------------------------------------------
@pytest.mark.parametrize("member_id", PERSONA_IDS)
def test_every_persona_has_a_profile(api, member_id):
    body = api.get(f"/v1/members/{member_id}").json()
    assert body["id"] == member_id
    assert body["is_demo_persona"] is True
    assert body["rights"]["status"] == ("closed" if member_id == HUGO else "open")


def test_profile_flags_the_situation(api):
    assert api.get(f"/v1/members/{LEA}").json()["has_gp"] is False
    assert api.get(f"/v1/members/{NADIA}").json()["c2s_status"] == "active"
    assert api.get(f"/v1/members/{THOMAS}").json()["c2s_status"] == "pending"
    assert api.get(f"/v1/members/{MICHEL}").json()["ald_active"] is True
    assert api.get(f"/v1/members/{JULIE}").json()["maternity_cover"] is True
    sophie = api.get(f"/v1/members/{SOPHIE}").json()
    assert [d["first_name"] for d in sophie["dependents"]] == ["Inès", "Malo", "Rose"]
    hugo = api.get(f"/v1/members/{HUGO}").json()["rights"]
    assert date.fromisoformat(hugo["open_until"]) < TODAY


def test_incomplete_file_comes_back_with_nulls(api):
    gerard = api.get(f"/v1/members/{GERARD}").json()
    assert gerard["email"] is None and gerard["phone"] is None
    assert gerard["address"]["street"] is None and gerard["address"]["city"]


# --- reimbursements --------------------------------------------------------------------------
def test_reimbursements_cover_paid_pending_and_rejected_with_reasons(api):
    page = api.get(f"/v1/members/{CLAIRE}/reimbursements", params={"limit": 100}).json()
    items = page["items"]
    assert page["total"] == len(items) > 5
    assert [i["care_date"] for i in items] == sorted((i["care_date"] for i in items), reverse=True)
    by_status = {
        status: [i for i in items if i["status"] == status]
        for status in ("paid", "pending", "rejected")
    }
    for paid in by_status["paid"]:
        assert paid["payment_date"] and Decimal(paid["amount_reimbursed"]) >= 0
    for pending in by_status["pending"]:
        assert pending["payment_date"] is None and pending["amount_reimbursed"] is None
    reasons = {r["rejection_code"]: r["rejection_reason"] for r in by_status["rejected"]}
    assert set(reasons) == {"prescription_manquante", "feuille_incomplete"}
    assert all(reasons.values())
    first = items[0]
    for key in ("care_date", "care_type", "practitioner_name", "amount_paid", "amount_reimbursed"):
        assert key in first


def test_a_paid_gp_visit_shows_the_official_figures(api):
    page = api.get(
        f"/v1/members/{CLAIRE}/reimbursements",
        params={"care_type": "generaliste", "status": "paid", "limit": 1},
    ).json()
    visit = page["items"][0]
    assert (visit["base_amount"], visit["reimbursement_rate"]) == ("30.00", 70)
    assert (visit["participation_forfaitaire"], visit["amount_reimbursed"]) == ("2.00", "19.00")
    assert visit["practitioner_name"] == "Dr Hélène Brun"


def test_filters_by_period_care_type_and_status(api):
    start, end = last_month()
    page = api.get(
        f"/v1/members/{CLAIRE}/reimbursements",
        params={"from": start.isoformat(), "to": end.isoformat(), "limit": 100},
    ).json()
    assert page["total"] >= 3, "the persona has care 'le mois dernier'"
    assert all(start.isoformat() <= i["care_date"] <= end.isoformat() for i in page["items"])
    pending = api.get(f"/v1/members/{CLAIRE}/reimbursements", params={"status": "pending"})
    assert {i["status"] for i in pending.json()["items"]} == {"pending"}
    kine = api.get(
        f"/v1/members/{CLAIRE}/reimbursements", params={"care_type": "kinesitherapeute"}
    ).json()
    assert kine["total"] == 1 and kine["items"][0]["status"] == "pending"
    empty = api.get(
        f"/v1/members/{CLAIRE}/reimbursements",
        params={"from": TODAY.isoformat(), "to": (TODAY - timedelta(days=30)).isoformat()},
    ).json()
    assert empty["total"] == 0


def test_paging_keeps_the_total(api):
    first = api.get(f"/v1/members/{CLAIRE}/reimbursements", params={"limit": 2}).json()
    second = api.get(
        f"/v1/members/{CLAIRE}/reimbursements", params={"limit": 2, "offset": 2}
    ).json()
    assert first["total"] == second["total"]
    assert len(first["items"]) == len(second["items"]) == 2
    assert {i["id"] for i in first["items"]}.isdisjoint(i["id"] for i in second["items"])


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 101},
        {"offset": -1},
        {"care_type": "plombier"},
        {"status": "lost"},
        {"from": "2026-13-01"},
    ],
)
def test_invalid_filters_are_422(api, params):
    assert api.get(f"/v1/members/{CLAIRE}/reimbursements", params=params).status_code == 422


def test_one_reimbursement_by_id(api):
    item = api.get(f"/v1/members/{CLAIRE}/reimbursements", params={"limit": 1}).json()["items"][0]
    assert api.get(f"/v1/members/{CLAIRE}/reimbursements/{item['id']}").json() == item
    assert api.get(f"/v1/members/{CLAIRE}/reimbursements/R-999999").status_code == 404
    assert api.get(f"/v1/members/{LEA}/reimbursements/{item['id']}").status_code == 404


def test_children_care_names_the_child(api):
    items = api.get(f"/v1/members/{SOPHIE}/reimbursements", params={"limit": 100}).json()["items"]
    pediatre = [i for i in items if i["care_type"] == "pediatre"]
    assert {i["beneficiary_name"] for i in pediatre} == {"Rose Garnier", "Malo Garnier"}
    assert all(i["beneficiary_id"] for i in pediatre)


def test_rights_closed_rejection_and_empty_history(api):
    hugo = api.get(f"/v1/members/{HUGO}/reimbursements", params={"status": "rejected"}).json()
    assert {i["rejection_code"] for i in hugo["items"]} == {"droits_fermes"}
    emma = api.get(f"/v1/members/{EMMA}/reimbursements").json()
    assert emma == {"member_id": EMMA, "total": 0, "limit": 20, "offset": 0, "items": []}


def test_paper_form_pending_without_payment_date(api):
    items = api.get(f"/v1/members/{GERARD}/reimbursements", params={"status": "pending"}).json()
    paper = items["items"][0]
    assert paper["paper_form"] is True and paper["payment_date"] is None
    assert paper["practitioner_name"] is None


# --- sick leaves -------------------------------------------------------------------------------
def test_sick_leave_blocked_by_missing_salary_certificate(api):
    leaves = api.get(f"/v1/members/{KARIM}/sick-leaves").json()["items"]
    current = leaves[0]
    assert current["ongoing"] is True and current["kind"] == "maladie"
    assert current["allowance_status"] == "blocked"
    assert current["payments"] == [] and current["next_payment_expected_on"] is None
    assert current["missing_documents"][0]["code"] == "attestation_salaire"
    assert current["missing_documents"][0]["expected_from"] == "employeur"
    assert "attestation de salaire" in current["blocked_reason"]
    assert leaves[1]["allowance_status"] == "paid" and leaves[1]["payments"]


def test_maternity_leave_with_allowances_and_next_payment(api):
    leave = api.get(f"/v1/members/{JULIE}/sick-leaves").json()["items"][0]
    assert leave["kind"] == "maternite" and leave["waiting_days"] == 0
    assert leave["allowance_status"] == "in_payment"
    assert len(leave["payments"]) >= 2
    assert Decimal(leave["total_paid"]) == sum(Decimal(p["amount"]) for p in leave["payments"])
    assert date.fromisoformat(leave["next_payment_expected_on"]) > TODAY
    assert date.fromisoformat(leave["last_payment_on"]) <= TODAY


def test_no_sick_leave(api):
    assert api.get(f"/v1/members/{EMMA}/sick-leaves").json() == {"member_id": EMMA, "items": []}


# --- rights certificate and documents ----------------------------------------------------------
def test_rights_certificate_creates_a_document_in_the_members_space(api):
    response = api.post(f"/v1/members/{SOPHIE}/rights-certificates")
    assert response.status_code == 201
    certificate = response.json()
    assert certificate["document_id"].startswith("DOC-")
    assert certificate["beneficiaries"][0] == "Sophie Garnier"
    assert len(certificate["beneficiaries"]) == 4
    created = datetime.fromisoformat(certificate["created_at"])
    assert abs(created - datetime.now(timezone.utc)) < timedelta(minutes=1)
    document = api.get(certificate["link"]).json()
    assert document["id"] == certificate["document_id"]
    assert "Sophie Garnier" in document["content"]
    assert api.get(f"/v1/members/{SOPHIE}/documents/DOC-NOPE").status_code == 404


def test_no_rights_certificate_when_rights_are_closed(api):
    response = api.post(f"/v1/members/{HUGO}/rights-certificates")
    assert response.status_code == 409
    assert response.json()["code"] == "rights_closed"


# --- carte Vitale ------------------------------------------------------------------------------
def test_vitale_order_in_progress_and_sent(api):
    antoine = api.get(f"/v1/members/{ANTOINE}/vitale-card").json()
    assert antoine["order"]["status"] == "en_fabrication"
    assert antoine["order"]["photo_received_on"] < antoine["order"]["manufacturing_started_on"]
    assert antoine["order"]["sent_on"] is None
    gerard = api.get(f"/v1/members/{GERARD}/vitale-card").json()
    assert gerard["order"]["status"] == "envoyee" and gerard["order"]["sent_on"]
    emma = api.get(f"/v1/members/{EMMA}/vitale-card").json()
    assert emma["card_status"] == "none" and emma["order"] is None


def test_loss_declaration_is_idempotent(api):
    member = "M-100011"
    url = f"/v1/members/{member}/vitale-card/loss-declarations"
    first = api.post(url, json={"reason": "stolen"})
    assert first.status_code == 201 and first.json()["created"] is True
    again = api.post(url, json={"reason": "stolen"})
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["id"] == first.json()["id"]
    card = api.get(f"/v1/members/{member}/vitale-card").json()
    assert card["open_loss_declaration"]["id"] == first.json()["id"]
    assert card["card_status"] in ("opposed", "none")
    assert card["order"] is not None


@pytest.mark.parametrize("body", [{}, {"reason": "broken"}, {"reason": None}])
def test_loss_declaration_needs_a_known_reason(api, body):
    url = f"/v1/members/{CLAIRE}/vitale-card/loss-declarations"
    assert api.post(url, json=body).status_code == 422


# --- médecin traitant, C2S, ALD ----------------------------------------------------------------
def test_gp_declared_or_not(api):
    assert api.get(f"/v1/members/{LEA}/gp").json()["declared"] is False
    claire = api.get(f"/v1/members/{CLAIRE}/gp").json()
    assert claire["declared"] is True and claire["doctor_name"] == "Dr Hélène Brun"


def test_c2s_active_pending_and_none(api):
    nadia = api.get(f"/v1/members/{NADIA}/c2s").json()
    assert nadia["status"] == "active"
    assert date.fromisoformat(nadia["rights_end"]) > TODAY
    assert nadia["monthly_participation"] == "0.00"
    thomas = api.get(f"/v1/members/{THOMAS}/c2s").json()
    assert thomas["status"] == "pending"
    assert date.fromisoformat(thomas["expected_decision_by"]) > TODAY
    assert thomas["missing_documents"][0]["expected_from"] == "assuré"
    assert api.get(f"/v1/members/{CLAIRE}/c2s").json()["status"] == "none"


def test_ald_until_a_date(api):
    michel = api.get(f"/v1/members/{MICHEL}/ald").json()
    assert michel["has_active_ald"] is True
    assert date.fromisoformat(michel["items"][0]["end_date"]) > TODAY
    assert michel["items"][0]["exonerating"] is True
    assert api.get(f"/v1/members/{CLAIRE}/ald").json() == {
        "member_id": CLAIRE,
        "has_active_ald": False,
        "items": [],
    }


# --- care-cost estimate ------------------------------------------------------------------------
def estimate(api, member_id, care_type, **params):
    response = api.get(
        f"/v1/members/{member_id}/care-cost-estimate", params={"care_type": care_type, **params}
    )
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    "member_id,care_type,params,expected",
    [
        (CLAIRE, "generaliste", {}, ("30.00", 70, "2.00", "19.00", "0.00", "11.00")),
        (LEA, "generaliste", {}, ("30.00", 30, "2.00", "7.00", "0.00", "23.00")),
        (NADIA, "generaliste", {}, ("30.00", 70, "0.00", "21.00", "9.00", "0.00")),
        (MICHEL, "generaliste", {}, ("30.00", 100, "2.00", "28.00", "0.00", "2.00")),
        (
            MICHEL,
            "generaliste",
            {"ald_related": "false"},
            ("30.00", 70, "2.00", "19.00", "0.00", "11.00"),
        ),
        (JULIE, "gynecologue", {}, ("40.00", 100, "0.00", "40.00", "0.00", "0.00")),
        (CLAIRE, "dentiste", {}, ("23.00", 60, "0.00", "13.80", "0.00", "9.20")),
        (LEA, "psychiatre", {}, ("57.00", 30, "2.00", "15.10", "0.00", "41.90")),
        (CLAIRE, "specialiste", {}, ("31.50", 70, "2.00", "20.05", "0.00", "11.45")),
    ],
)
def test_estimate_applies_the_members_situation(api, member_id, care_type, params, expected):
    body = estimate(api, member_id, care_type, **params)
    assert body["estimate_available"] is True
    got = tuple(
        body[key]
        for key in (
            "convention_tariff",
            "reimbursement_rate",
            "participation_forfaitaire",
            "amount_reimbursed",
            "c2s_cover",
            "left_to_pay",
        )
    )
    assert got == expected
    assert "SECTOR_1_ASSUMED" in body["explanations"]
    assert all(source["source_url"].startswith("https://") for source in body["sources"])


def test_estimate_explains_its_rules(api):
    assert "NO_GP_DECLARED" in estimate(api, LEA, "generaliste")["explanations"]
    assert "PF_EXEMPT_C2S" in estimate(api, NADIA, "generaliste")["explanations"]
    michel = estimate(api, MICHEL, "generaliste")["explanations"]
    assert {"ALD_ASSUMED_RELATED", "ALD_FULL_COVER"} <= set(michel)
    assert "MATERNITY_FULL_COVER" in estimate(api, JULIE, "gynecologue")["explanations"]


def test_estimate_for_a_child(api):
    rose = api.get(f"/v1/members/{SOPHIE}").json()["dependents"][2]
    body = estimate(api, SOPHIE, "pediatre", beneficiary_id=rose["id"])
    assert body["beneficiary_id"] == rose["id"]
    assert body["situation"]["age"] < 2
    assert (body["convention_tariff"], body["reimbursement_rate"]) == ("40.00", 70)
    assert body["participation_forfaitaire"] == "0.00"
    assert "PF_EXEMPT_UNDER_18" in body["explanations"]
    response = api.get(
        f"/v1/members/{SOPHIE}/care-cost-estimate",
        params={"care_type": "pediatre", "beneficiary_id": "P-CLAIRE-REMB-E00001"},
    )
    assert response.status_code == 404


@pytest.mark.parametrize("care_type", CARE_TYPES)
def test_every_care_type_gets_an_estimate_or_a_reason(api, care_type):
    body = estimate(api, CLAIRE, care_type)
    if body["estimate_available"]:
        tariff = Decimal(body["convention_tariff"])
        paid_by_others = Decimal(body["amount_reimbursed"]) + Decimal(body["c2s_cover"])
        assert Decimal(body["left_to_pay"]) == tariff - paid_by_others
    else:
        assert body["no_estimate_reason"] and body["convention_tariff"] is None
        assert body["explanations"] == ["NO_FIXED_TARIFF"]


@pytest.mark.parametrize("params", [{}, {"care_type": "plombier"}, {"care_type": ""}])
def test_estimate_needs_a_known_care_type(api, params):
    response = api.get(f"/v1/members/{CLAIRE}/care-cost-estimate", params=params)
    assert response.status_code == 422


# --- secure messages -----------------------------------------------------------------------------
def test_message_creates_a_ticket_answered_within_two_working_days(api):
    body = {"topic": "reimbursement", "subject": "Remboursement kiné", "summary": "En attente."}
    response = api.post(f"/v1/members/{ANTOINE}/messages", json=body)
    assert response.status_code == 201
    ticket = response.json()
    assert ticket["id"].startswith("T-") and ticket["status"] == "open"
    reply_by = date.fromisoformat(ticket["expected_reply_by"])
    assert is_working_day(reply_by)
    assert TODAY + timedelta(days=2) <= reply_by <= TODAY + timedelta(days=7)
    listed = api.get(f"/v1/members/{ANTOINE}/messages").json()["items"]
    assert listed[0] == ticket


@pytest.mark.parametrize(
    "body",
    [
        {"topic": "plumbing", "subject": "s", "summary": "t"},
        {"topic": "other", "subject": "", "summary": "t"},
        {"topic": "other", "subject": "s"},
        {"topic": "other", "subject": "nul\u0000byte", "summary": "t"},
        {"topic": "other", "subject": "s", "summary": "x" * 4001},
        {"topic": "other", "subject": -12255, "summary": "t"},  # a number is not text
        {"topic": "other", "subject": "s", "summary": ["t"]},
    ],
)
def test_invalid_messages_are_422(api, body):
    assert api.post(f"/v1/members/{ANTOINE}/messages", json=body).status_code == 422


def test_body_that_is_not_json_is_400(api):
    response = api.post(
        f"/v1/members/{ANTOINE}/messages",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code in (400, 422)


# --- audit log ---------------------------------------------------------------------------------
def test_every_read_is_audited_with_caller_member_resource_and_time(member_service):
    before = datetime.now(timezone.utc) - timedelta(seconds=2)
    with httpx.Client(base_url=member_service.url, headers={"X-API-Key": BENCH_KEY}) as bench:
        assert bench.get(f"/v1/members/{LEA}/gp").status_code == 200
        assert bench.get("/v1/members/M-999998/ald").status_code == 404
    with httpx.Client(base_url=member_service.url) as anonymous:
        assert anonymous.get(f"/v1/members/{LEA}/c2s").status_code == 401
    with member_service.admin() as admin:
        lea = admin.get("/admin/audit", params={"member_id": LEA}).json()["items"]
        unknown = admin.get("/admin/audit", params={"member_id": "M-999998"}).json()["items"]
    entry = lea[0]
    assert (entry["caller"], entry["member_id"], entry["resource"], entry["action"]) == (
        "benchmark",
        LEA,
        "gp",
        "read",
    )
    assert entry["status_code"] == 200
    assert datetime.fromisoformat(entry["at"]) >= before.replace(microsecond=0)
    assert not any(e["resource"] == "c2s" and e["caller"] != "action_server" for e in lea)
    assert unknown[0]["status_code"] == 404 and unknown[0]["resource"] == "ald"


def test_writes_are_audited_too(api, member_service):
    api.post(
        f"/v1/members/{EMMA}/messages", json={"topic": "other", "subject": "a", "summary": "b"}
    )
    with member_service.admin() as admin:
        entry = admin.get("/admin/audit", params={"member_id": EMMA, "limit": 1}).json()["items"][0]
    assert (entry["caller"], entry["resource"], entry["action"]) == (
        "action_server",
        "messages",
        "write",
    )


# --- failure injection switch ------------------------------------------------------------------
def test_fault_switch_makes_the_service_fail_but_not_health(no_faults, api):
    state = no_faults.set_faults(error_rate=1.0)
    assert state["error_rate"] == 1.0
    response = api.get(f"/v1/members/{CLAIRE}")
    assert response.status_code == 503 and response.json()["code"] == "injected_fault"
    assert httpx.get(f"{no_faults.url}/health").status_code == 200
    assert no_faults.faults()["errors_injected"] == 1
    no_faults.set_faults()
    assert api.get(f"/v1/members/{CLAIRE}").status_code == 200


def test_fault_switch_adds_latency(no_faults, api):
    no_faults.set_faults(latency_ms=400)
    response = api.get(f"/v1/members/{CLAIRE}/gp")
    assert response.status_code == 200
    assert response.elapsed >= timedelta(milliseconds=400)


@pytest.mark.parametrize("body", [{"latency_ms": -1}, {"error_rate": 1.5}, {"error_rate": "x"}])
def test_fault_switch_validates_its_input(member_service, body):
    with member_service.admin() as admin:
        assert admin.put("/admin/faults", json=body).status_code == 422
