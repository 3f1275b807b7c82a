"""The data generator, the seeding, the tariff file and the identity tokens (no server)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from collections import Counter
from datetime import date, timedelta

import pytest
import yaml
from ms_service import ROOT

from member_system import db
from member_system.config import ConfigError, load_config, parse_api_keys
from member_system.generator import generate
from member_system.personas import PERSONA_IDS, PERSONAS
from member_system.seed import seed
from member_system.tariffs import CARE_TYPES, TARIFFS_PATH, Situation, estimate
from member_system.token import (
    TokenError,
    TokenExpired,
    TokenInvalid,
    issue_token,
    verify_token,
)
from member_system.workdays import add_working_days, easter_sunday

REFERENCE = date(2026, 11, 24)


@pytest.fixture(scope="module")
def dataset():
    return generate(42, REFERENCE, 1000)


# --- determinism -----------------------------------------------------------------------------
def test_same_seed_and_date_give_the_same_data(dataset):
    again = generate(42, REFERENCE, 1000)
    assert again.rows == dataset.rows


def test_another_seed_gives_other_members_but_the_same_personas(dataset):
    other = generate(43, REFERENCE, 1000)
    assert other.rows["ms_member"][len(PERSONAS) :] != dataset.rows["ms_member"][len(PERSONAS) :]
    names = [(m["first_name"], m["last_name"]) for m in dataset.rows["ms_member"][: len(PERSONAS)]]
    assert names == [(m["first_name"], m["last_name"]) for m in other.rows["ms_member"][:12]]


def test_histories_follow_the_reference_date(dataset):
    later = generate(42, REFERENCE + timedelta(days=30), 1000)
    claire = [r for r in later.rows["ms_reimbursement"] if r["member_id"] == "P-CLAIRE-REMB"]
    assert max(r["care_date"] for r in claire) == REFERENCE + timedelta(days=30 - 3)
    assert all(r["care_date"] <= REFERENCE for r in dataset.rows["ms_reimbursement"])
    assert all(r["received_on"] <= REFERENCE for r in dataset.rows["ms_reimbursement"])
    assert all(
        r["payment_date"] is None or r["payment_date"] <= REFERENCE
        for r in dataset.rows["ms_reimbursement"]
    )
    payments = dataset.rows["ms_allowance_payment"]
    assert all(p["paid_on"] <= REFERENCE for p in payments)


# --- content ---------------------------------------------------------------------------------
def test_at_least_a_thousand_members_and_every_persona(dataset):
    ids = [m["id"] for m in dataset.rows["ms_member"]]
    assert len(ids) == 1000 + len(PERSONAS) == len(set(ids))
    assert tuple(ids[: len(PERSONAS)]) == PERSONA_IDS
    assert len(PERSONAS) >= 10


def test_histories_are_realistic(dataset):
    reimbursements = dataset.rows["ms_reimbursement"]
    assert len(reimbursements) > 5000
    assert {r["care_type"] for r in reimbursements} <= set(CARE_TYPES)
    assert {r["care_type"] for r in reimbursements} >= {"generaliste", "pharmacie", "pediatre"}
    statuses = Counter(r["status"] for r in reimbursements)
    assert statuses["paid"] > statuses["rejected"] > 0 and statuses["pending"] > 0
    for r in reimbursements:
        assert isinstance(r["amount_paid_cents"], int) and r["amount_paid_cents"] > 0
        if r["status"] == "paid":
            assert r["payment_date"] >= r["care_date"]
            assert r["amount_reimbursed_cents"] <= r["base_cents"]
        elif r["status"] == "pending":
            assert r["payment_date"] is None and r["amount_reimbursed_cents"] is None
        else:
            assert r["rejection_reason"]
    doctors = [r["practitioner_name"] for r in reimbursements if r["care_type"] == "dermatologue"]
    assert any(name and name.startswith("Dr ") for name in doctors)
    assert dataset.count("ms_sick_leave") > 30 and dataset.count("ms_ald") > 50
    assert dataset.count("ms_dependent") > 200 and dataset.count("ms_c2s") > 30


def test_a_share_of_the_files_is_messy(dataset):
    members = dataset.rows["ms_member"][len(PERSONAS) :]
    no_email = sum(m["email"] is None for m in members)
    no_phone = sum(m["phone"] is None for m in members)
    no_street = sum(m["street"] is None for m in members)
    assert 0.05 < no_email / len(members) < 0.3
    assert 0.03 < no_phone / len(members) < 0.2
    assert no_street > 5
    phone_styles = {("+" in p, "." in p, " " in p) for m in members if (p := m["phone"])}
    assert len(phone_styles) >= 3
    nameless = [r for r in dataset.rows["ms_reimbursement"] if r["practitioner_name"] is None]
    assert nameless


def test_personas_land_in_recent_months(dataset):
    last_month_end = REFERENCE.replace(day=1) - timedelta(days=1)
    claire = [r for r in dataset.rows["ms_reimbursement"] if r["member_id"] == "P-CLAIRE-REMB"]
    last_month = [
        r for r in claire if r["care_date"].replace(day=1) == last_month_end.replace(day=1)
    ]
    assert {r["status"] for r in last_month} >= {"paid", "rejected"}
    assert any(r["status"] == "pending" for r in claire)


# --- seeding ---------------------------------------------------------------------------------
def test_seeding_a_thousand_members_is_well_under_15_seconds(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'seed.sqlite3'}")
    db.create_schema(engine)
    started = time.perf_counter()
    counts = seed(engine, 7, REFERENCE, 1200)
    elapsed = time.perf_counter() - started
    assert elapsed < 15, counts
    assert db.member_count(engine) == 1200 + len(PERSONAS)
    assert db.read_meta(engine)["reference_date"] == REFERENCE.isoformat()


def test_seed_cli_resets(tmp_path):
    env = {
        "MEMBER_DB_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "MEMBER_SYSTEM_MEMBER_COUNT": "50",
        "PATH": "/usr/bin:/bin",
    }
    command = [sys.executable, "-m", "member_system.seed"]
    first = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert "62 members" in first.stdout
    again = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert "already has members" in again.stdout
    reset = subprocess.run(
        [*command, "--reset", "--reference-date", "2026-01-15"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "62 members" in reset.stdout


# --- configuration -----------------------------------------------------------------------------
def test_named_keys_and_bad_values():
    assert parse_api_keys("k0", "ops:k1, bench:k2") == {
        "action_server": "k0",
        "ops": "k1",
        "bench": "k2",
    }
    with pytest.raises(ConfigError):
        parse_api_keys("k0", "no-colon")
    with pytest.raises(ConfigError):
        load_config({"MEMBER_SYSTEM_ERROR_RATE": "1.5"})
    with pytest.raises(ConfigError):
        load_config({"MEMBER_SYSTEM_PORT": "http"})
    postgres = load_config({"MEMBER_DB_URL": "postgresql://u@h/db"})
    assert postgres.db_schema == "member_system" and not postgres.is_sqlite
    assert load_config({}).is_sqlite and load_config({}).uses_dev_keys


# --- tariffs -----------------------------------------------------------------------------------
def _figures(node, path=""):
    if isinstance(node, dict):
        if "source_url" in node:
            yield path, node
        for key, value in node.items():
            yield from _figures(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _figures(value, f"{path}[{index}]")


def test_every_figure_has_its_source_and_check_date():
    data = yaml.safe_load(TARIFFS_PATH.read_text(encoding="utf-8"))
    whole_file = dt.date.fromisoformat(str(data["checked"]))
    assert whole_file <= dt.date.today()
    figures = dict(_figures(data))
    assert len(figures) > 20
    for path, figure in figures.items():
        assert figure["source_url"].startswith("https://"), path
        # each figure checked with the file, or since (a correction of one figure)
        assert whole_file <= dt.date.fromisoformat(str(figure["checked"])) <= dt.date.today()
    assert set(data["care_types"]) == set(CARE_TYPES)
    for care_type, entry in data["care_types"].items():
        assert entry["estimate"] in ("consultation", "none"), care_type
        if entry["estimate"] == "none":
            assert len(entry["reason"]) > 40, care_type


@pytest.mark.parametrize(
    "situation,care,expected",
    [
        (Situation(40, True, False, False, False), "generaliste", (7000, 200, 1900, 1100)),
        (Situation(40, False, False, False, False), "generaliste", (3000, 200, 700, 2300)),
        (Situation(4, False, False, False, False), "generaliste", (7000, 0, 2450, 1050)),
        (Situation(20, False, False, False, False), "psychiatre", (3000, 200, 1510, 4190)),
        (Situation(20, True, False, False, False), "psychiatre", (7000, 200, 3790, 1910)),
        (Situation(40, True, False, False, False, 4900), "generaliste", (7000, 100, 2000, 1000)),
        (Situation(40, True, False, False, False, 5000), "generaliste", (7000, 0, 2100, 900)),
        (Situation(40, False, True, False, False), "generaliste", (3000, 0, 900, 1200)),
    ],
)
def test_estimate_rules(situation, care, expected):
    result = estimate(care, situation)
    rate = result.rate * 100
    assert (
        rate,
        result.participation_cents,
        result.reimbursed_cents,
        result.left_to_pay_cents,
    ) == (expected)


def test_c2s_does_not_pay_the_penalty_outside_the_care_pathway():
    result = estimate("generaliste", Situation(40, False, True, False, False))
    assert "C2S_PARTIAL_OUTSIDE_PATHWAY" in result.codes
    assert result.c2s_cents == 900


# --- working days ------------------------------------------------------------------------------
def test_working_days_skip_weekends_and_holidays():
    assert easter_sunday(2026) == date(2026, 4, 5)
    assert add_working_days(date(2026, 11, 24), 2) == date(2026, 11, 26)
    assert add_working_days(date(2026, 11, 27), 2) == date(2026, 12, 1)  # Friday
    assert add_working_days(date(2026, 11, 10), 1) == date(2026, 11, 12)  # 11 November
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 28)


# --- tokens ----------------------------------------------------------------------------------
def test_token_round_trip_and_claims(monkeypatch):
    monkeypatch.setenv("MEMBER_TOKEN_SECRET", "s" * 40)
    token = issue_token("P-CLAIRE-REMB", ttl=60)
    assert verify_token(token) == "P-CLAIRE-REMB"
    import jwt

    claims = jwt.decode(token, "s" * 40, algorithms=["HS256"], audience="assurbot")
    assert claims["iss"] == "assurbot-demo-login" and claims["exp"] - claims["iat"] == 60


def test_token_errors(monkeypatch):
    monkeypatch.setenv("MEMBER_TOKEN_SECRET", "s" * 40)
    expired = issue_token("P-CLAIRE-REMB", ttl=5, now=int(time.time()) - 3600)
    with pytest.raises(TokenExpired):
        verify_token(expired)
    with pytest.raises(TokenInvalid):
        verify_token(issue_token("P-CLAIRE-REMB", secret="another-secret-of-enough-length!"))
    with pytest.raises(TokenInvalid):
        verify_token("not.a.token")
    with pytest.raises(TokenInvalid):
        verify_token("")
    assert issubclass(TokenExpired, TokenError) and issubclass(TokenInvalid, TokenError)


def test_token_cli_prints_a_token_that_verifies_and_lists_personas():
    env = {"PATH": "/usr/bin:/bin", "MEMBER_TOKEN_SECRET": "cli-secret-of-a-reasonable-length"}
    printed = subprocess.run(
        [sys.executable, "-m", "member_system.token", "P-MICHEL-ALD", "--ttl", "120"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    token = printed.stdout.strip()
    assert verify_token(token, secret=env["MEMBER_TOKEN_SECRET"]) == "P-MICHEL-ALD"
    listed = subprocess.run(
        [sys.executable, "-m", "member_system.token", "--list"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = listed.stdout.strip().split("\n")
    assert [line.split("\t")[0] for line in lines] == list(PERSONA_IDS)
    assert all(len(line.split("\t")) == 2 and line.split("\t")[1] for line in lines)


def test_token_cli_warns_about_the_development_secret():
    result = subprocess.run(
        [sys.executable, "-m", "member_system.token", "P-LEA-SANS-MT"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert "development secret" in result.stderr
    assert verify_token(result.stdout.strip(), secret="dev-only-insecure-token-secret-change-me")
