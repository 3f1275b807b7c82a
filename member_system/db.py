"""The store: SQLAlchemy 1.4 Core tables, one engine factory for SQLite and PostgreSQL.

Amounts are integer cents (no float ever touches money). Dates are `DATE`, instants are UTC
`TIMESTAMP`s. On PostgreSQL the tables live in their own schema (`MEMBER_DB_SCHEMA`, default
`member_system`) through SQLAlchemy's schema translation, so the same table objects serve both
databases and nothing collides with other applications sharing the database.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    select,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool

metadata = MetaData()

meta = Table(
    "ms_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

members = Table(
    "ms_member",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("is_persona", Boolean, nullable=False, default=False),
    Column("persona_summary", Text),
    Column("first_name", String(80), nullable=False),
    Column("last_name", String(80), nullable=False),
    Column("sex", String(1), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("nir_masked", String(32), nullable=False),
    Column("email", String(200)),
    Column("phone", String(40)),
    Column("street", String(200)),
    Column("postal_code", String(10)),
    Column("city", String(100)),
    Column("cpam", String(120), nullable=False),
    Column("complementary_health", String(120)),
    Column("rights_start", Date, nullable=False),
    Column("rights_end", Date, nullable=False),
    Column("gp_name", String(120)),
    Column("gp_city", String(100)),
    Column("gp_declared_on", Date),
    Column("maternity_cover_from", Date),
    Column("maternity_cover_to", Date),
    Column("employer", String(160)),
)

dependents = Table(
    "ms_dependent",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("member_id", String(32), ForeignKey("ms_member.id"), nullable=False, index=True),
    Column("first_name", String(80), nullable=False),
    Column("last_name", String(80), nullable=False),
    Column("sex", String(1), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("relationship", String(20), nullable=False),
    Column("attached_on", Date, nullable=False),
)

reimbursements = Table(
    "ms_reimbursement",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("member_id", String(32), ForeignKey("ms_member.id"), nullable=False),
    Column("dependent_id", String(40)),
    Column("care_date", Date, nullable=False),
    Column("care_type", String(32), nullable=False),
    Column("practitioner_name", String(120)),
    Column("practitioner_specialty", String(80)),
    Column("amount_paid_cents", Integer, nullable=False),
    Column("base_cents", Integer, nullable=False),
    Column("rate", Integer, nullable=False),
    Column("participation_cents", Integer, nullable=False, default=0),
    Column("amount_reimbursed_cents", Integer),
    Column("status", String(16), nullable=False),
    Column("received_on", Date, nullable=False),
    Column("payment_date", Date),
    Column("rejection_code", String(40)),
    Column("rejection_reason", Text),
    Column("paper_form", Boolean, nullable=False, default=False),
)
Index("ix_ms_reimbursement_member_date", reimbursements.c.member_id, reimbursements.c.care_date)

sick_leaves = Table(
    "ms_sick_leave",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("member_id", String(32), ForeignKey("ms_member.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("prescriber", String(120)),
    Column("employer", String(160)),
    Column("waiting_days", Integer, nullable=False),
    Column("daily_amount_cents", Integer),
    Column("allowance_status", String(16), nullable=False),
    Column("blocked_reason", Text),
    Column("next_payment_on", Date),
    Column("received_on", Date, nullable=False),
)

missing_documents = Table(
    "ms_missing_document",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("member_id", String(32), ForeignKey("ms_member.id"), nullable=False, index=True),
    Column("subject", String(16), nullable=False),  # sick_leave | c2s
    Column("subject_id", String(40), nullable=False),
    Column("code", String(40), nullable=False),
    Column("label", Text, nullable=False),
    Column("expected_from", String(40), nullable=False),
    Column("requested_on", Date, nullable=False),
)

allowance_payments = Table(
    "ms_allowance_payment",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("sick_leave_id", String(40), ForeignKey("ms_sick_leave.id"), nullable=False, index=True),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("days", Integer, nullable=False),
    Column("amount_cents", Integer, nullable=False),
    Column("paid_on", Date, nullable=False),
)

vitale_cards = Table(
    "ms_vitale_card",
    metadata,
    Column("member_id", String(32), ForeignKey("ms_member.id"), primary_key=True),
    Column("card_status", String(16), nullable=False),  # active | none | opposed
    Column("card_issued_on", Date),
    Column("app_activated", Boolean, nullable=False, default=False),
    Column("order_status", String(24)),
    Column("ordered_on", Date),
    Column("photo_received_on", Date),
    Column("manufacturing_started_on", Date),
    Column("sent_on", Date),
    Column("expected_delivery_on", Date),
)

loss_declarations = Table(
    "ms_loss_declaration",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("member_id", String(32), ForeignKey("ms_member.id"), nullable=False, index=True),
    Column("reason", String(10), nullable=False),
    Column("declared_at", DateTime, nullable=False),
    Column("status", String(10), nullable=False),  # open | closed
)

c2s = Table(
    "ms_c2s",
    metadata,
    Column("member_id", String(32), ForeignKey("ms_member.id"), primary_key=True),
    Column("status", String(12), nullable=False),  # pending | active | expired | refused
    Column("application_date", Date),
    Column("decision_date", Date),
    Column("rights_start", Date),
    Column("rights_end", Date),
    Column("monthly_participation_cents", Integer),
    Column("people_covered", Integer, nullable=False, default=1),
)

alds = Table(
    "ms_ald",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("member_id", String(32), ForeignKey("ms_member.id"), nullable=False, index=True),
    Column("label", String(200), nullable=False),
    Column("exonerating", Boolean, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("protocol_by", String(120)),
)

documents = Table(
    "ms_document",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("member_id", String(32), ForeignKey("ms_member.id"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("title", String(200), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("content", Text, nullable=False),
)

tickets = Table(
    "ms_ticket",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("member_id", String(32), ForeignKey("ms_member.id"), nullable=False, index=True),
    Column("topic", String(32), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("summary", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expected_reply_by", Date, nullable=False),
    Column("created_by", String(64), nullable=False),
)

audit_log = Table(
    "ms_audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("caller", String(64), nullable=False),
    Column("member_id", String(64), nullable=False, index=True),
    Column("resource", String(40), nullable=False),
    Column("action", String(8), nullable=False),  # read | write
    Column("status_code", Integer, nullable=False),
)

# Tables in the order rows must be inserted (parents first).
SEEDED_TABLES = (
    members,
    dependents,
    reimbursements,
    sick_leaves,
    allowance_payments,
    missing_documents,
    vitale_cards,
    loss_declarations,
    c2s,
    alds,
    documents,
    tickets,
)


def make_engine(db_url: str, schema: str | None = None) -> Engine:
    """One engine for the whole process. SQLite runs in WAL mode so that the audit-log writes of
    concurrent requests do not block readers; PostgreSQL gets the schema translation."""
    if db_url.startswith("sqlite"):
        engine = create_engine(
            db_url,
            connect_args={"check_same_thread": False, "timeout": 30},
            # SQLAlchemy 1.4 opens a new SQLite connection per checkout by default; a pool
            # keeps them (the requests run in FastAPI's thread pool).
            poolclass=QueuePool,
            pool_size=10,
            max_overflow=20,
            future=True,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - driver hook
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    engine = create_engine(db_url, pool_pre_ping=True, pool_size=10, max_overflow=20, future=True)
    if schema:
        engine = engine.execution_options(schema_translate_map={None: schema})
    return engine


def create_schema(engine: Engine, schema: str | None = None) -> None:
    if schema and engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    metadata.create_all(engine)


def drop_schema(engine: Engine, schema: str | None = None) -> None:
    """Drop every table (and, on PostgreSQL, the schema when it is ours alone)."""
    if schema and engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        return
    metadata.drop_all(engine)


def member_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(members)).scalar_one())


def read_meta(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return {row.key: row.value for row in conn.execute(select(meta))}
