"""The same service on PostgreSQL (`MEMBER_DB_URL`), in a schema of its own, dropped afterwards.

Runs when PostgreSQL is reachable at MEMBER_TEST_POSTGRES_URL (default: the local database
`test`, user postgres); skipped otherwise.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import httpx
import pytest
import sqlalchemy
from ms_service import API_KEY, Service, free_port, service_env, start_service, stop_service

from member_system import db

pytestmark = [pytest.mark.postgres, pytest.mark.integration]

POSTGRES_URL = os.environ.get(
    "MEMBER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def _reachable() -> bool:
    try:
        engine = sqlalchemy.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 2})
        with engine.connect() as conn:
            conn.execute(sqlalchemy.text("select 1"))
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(scope="module")
def pg_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    if not _reachable():
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL}")
    schema = f"member_system_test_{uuid.uuid4().hex[:8]}"
    folder = tmp_path_factory.mktemp("member_system_pg")
    env = service_env(free_port(), POSTGRES_URL, MEMBER_DB_SCHEMA=schema)
    service = None
    try:
        service = start_service(env, folder / "service.log", folder / "none")
        service.schema = schema
        yield service
    finally:
        if service is not None:
            stop_service(service)
        engine = db.make_engine(POSTGRES_URL, schema)
        db.drop_schema(engine, schema)
        engine.dispose()
    assert "Traceback" not in (folder / "service.log").read_text()


@pytest.fixture
def pg_api(pg_service: Service) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=pg_service.url, headers={"X-API-Key": API_KEY}) as client:
        yield client


@pytest.fixture
def sqlite_api(member_service: Service) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=member_service.url, headers={"X-API-Key": API_KEY}) as client:
        yield client


def test_seeded_in_its_own_schema_quickly(pg_service):
    health = httpx.get(f"{pg_service.url}/health").json()
    assert health["database"] == "postgresql" and health["members"] > 1000
    assert pg_service.startup_seconds < 15
    engine = sqlalchemy.create_engine(POSTGRES_URL)
    with engine.connect() as conn:
        tables = conn.execute(
            sqlalchemy.text(
                "select count(*) from information_schema.tables where table_schema = :schema"
            ),
            {"schema": pg_service.schema},
        ).scalar_one()
        public = conn.execute(
            sqlalchemy.text(
                "select count(*) from information_schema.tables "
                "where table_schema = 'public' and table_name like 'ms\\_%'"
            )
        ).scalar_one()
    engine.dispose()
    assert tables == len(db.metadata.tables) and public == 0


@pytest.mark.parametrize(
    "path",
    [
        "/v1/members/P-CLAIRE-REMB",
        "/v1/members/P-CLAIRE-REMB/reimbursements?limit=100",
        "/v1/members/P-SOPHIE-FAMILLE/reimbursements?care_type=pediatre",
        "/v1/members/P-JULIE-MATERNITE/sick-leaves",
        "/v1/members/P-THOMAS-C2S-ATTENTE/c2s",
        "/v1/members/P-MICHEL-ALD/ald",
        "/v1/members/P-LEA-SANS-MT/gp",
        "/v1/members/P-NADIA-C2S/care-cost-estimate?care_type=generaliste",
        "/v1/members/M-100500/reimbursements?limit=100",
        "/v1/members/M-100777",
    ],
)
def test_same_answers_as_sqlite(pg_api, sqlite_api, path):
    """Same seed, same day: the two databases hold the same data and answer alike."""
    assert pg_api.get(path).json() == sqlite_api.get(path).json()


def test_writes_and_audit_on_postgres(pg_api, pg_service):
    url = "/v1/members/P-ANTOINE-VITALE/vitale-card/loss-declarations"
    first = pg_api.post(url, json={"reason": "lost"})
    again = pg_api.post(url, json={"reason": "lost"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    ticket = pg_api.post(
        "/v1/members/P-ANTOINE-VITALE/messages",
        json={"topic": "vitale_card", "subject": "Carte perdue", "summary": "Déclarée en ligne."},
    )
    assert ticket.status_code == 201
    certificate = pg_api.post("/v1/members/P-ANTOINE-VITALE/rights-certificates").json()
    assert pg_api.get(certificate["link"]).status_code == 200
    with pg_service.admin() as admin:
        audit = admin.get("/admin/audit", params={"member_id": "P-ANTOINE-VITALE"}).json()
    assert [e["resource"] for e in audit["items"][:4]] == [
        "documents/{id}",
        "rights-certificates",
        "messages",
        "vitale-card/loss-declarations",
    ]


def test_text_postgres_would_refuse_is_a_422_not_a_500(pg_api):
    response = pg_api.post(
        "/v1/members/P-ANTOINE-VITALE/messages",
        json={"topic": "other", "subject": "a\u0000b", "summary": "c"},
    )
    assert response.status_code == 422
