"""The event store: every conversation event, as Rasa's event broker hands it over, in one table.

SQLite under var/ by default (``EVENT_STORE_URL`` empty), PostgreSQL when ``EVENT_STORE_URL``
is set (``postgresql://user@host:5432/db``). The report, the review of misunderstood messages
and the retention and erasure commands all read it through this module.

Nothing reaches the table in clear: each event goes through ``assurbot.privacy`` first (the
member's token removed, personal data masked), whatever the tracker store did before.

Besides the event itself (``data``, JSON), each row keeps the few fields that are searched:
the conversation (``sender_id``), the event's type and time, and, for a member's message, the
pseudonymous ``member_ref`` the channel adds to a logged-in member's messages, so that the
conversations of one member can be found and erased.

Functions for retention and erasure (each takes the store's URL, default from the environment):
``delete_events``, ``export_events``, ``purge_events_before``, ``sender_ids_for_member``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence

import sqlalchemy as sa

from assurbot.privacy import strip_secrets_from_dict

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = "var/events.db"
DEFAULT_TABLE = "assurbot_events"
# Values of EVENT_STORE_URL that turn the store off (`make interactive`: a trainer's session is
# not a member's conversation).
OFF = {"off", "none", "disabled"}
# How many sender ids go into one `IN (...)` clause.
_CHUNK = 500


def store_url(url: Optional[str] = None) -> str:
    """The SQLAlchemy URL of the store: ``url``, else ``EVENT_STORE_URL``, else SQLite in var/."""
    value = (url if url is not None else os.environ.get("EVENT_STORE_URL", "")).strip()
    if not value:
        return f"sqlite:///{ROOT / DEFAULT_SQLITE_PATH}"
    if value.startswith("postgres://"):  # the form many hosts print; SQLAlchemy wants the long one
        value = "postgresql://" + value[len("postgres://") :]
    return value


def is_off(url: Optional[str] = None) -> bool:
    value = url if url is not None else os.environ.get("EVENT_STORE_URL", "")
    return value.strip().lower() in OFF


def _member_ref(event: Dict[str, Any]) -> Optional[str]:
    for metadata in (event.get("metadata"), (event.get("parse_data") or {}).get("metadata")):
        if isinstance(metadata, dict) and isinstance(metadata.get("member_ref"), str):
            return metadata["member_ref"][:128]
    return None


class EventStore:
    """One table of events; created on first use."""

    def __init__(
        self, url: Optional[str] = None, table: str = DEFAULT_TABLE, schema: Optional[str] = None
    ) -> None:
        self.url = store_url(url)
        if self.url.startswith("sqlite:///"):
            Path(self.url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
        self.engine = sa.create_engine(self.url, future=True, pool_pre_ping=True)
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        metadata = sa.MetaData(schema=schema)
        self.table = sa.Table(
            table,
            metadata,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("sender_id", sa.String(255), nullable=False),
            sa.Column("type_name", sa.String(64), nullable=False),
            sa.Column("timestamp", sa.Float, nullable=False),
            sa.Column("member_ref", sa.String(128)),
            sa.Column("data", sa.Text, nullable=False),
            # Index names are global in a PostgreSQL schema: they carry the table's name.
            sa.Index(f"ix_{table}_sender_id", "sender_id"),
            sa.Index(f"ix_{table}_timestamp", "timestamp"),
            sa.Index(f"ix_{table}_member_ref", "member_ref"),
        )
        metadata.create_all(self.engine, checkfirst=True)

    # --- writing --------------------------------------------------------------------------
    def write(self, events: Iterable[Dict[str, Any]]) -> int:
        """Stores events (dicts with ``sender_id``), each stripped of secrets first."""
        rows = []
        for event in events:
            clean = strip_secrets_from_dict(event)
            rows.append(
                {
                    "sender_id": str(clean.get("sender_id") or "")[:255],
                    "type_name": str(clean.get("event") or "")[:64],
                    "timestamp": float(clean.get("timestamp") or 0.0),
                    "member_ref": _member_ref(clean),
                    # ASCII: a lone surrogate from an API client is stored escaped, not refused.
                    "data": json.dumps(clean),
                }
            )
        if rows:
            with self.engine.begin() as connection:
                connection.execute(self.table.insert(), rows)
        return len(rows)

    # --- reading --------------------------------------------------------------------------
    def events(
        self,
        since: Optional[float] = None,
        until: Optional[float] = None,
        sender_ids: Optional[Sequence[str]] = None,
    ) -> Iterator[Dict[str, Any]]:
        """Events in time order (``since`` included, ``until`` excluded), each a dict."""
        if sender_ids is not None:
            for chunk in _chunks(sender_ids):
                yield from self._select(since, until, chunk)
            return
        yield from self._select(since, until, None)

    def _select(
        self, since: Optional[float], until: Optional[float], sender_ids: Optional[List[str]]
    ) -> Iterator[Dict[str, Any]]:
        query = sa.select(self.table.c.sender_id, self.table.c.data)
        if since is not None:
            query = query.where(self.table.c.timestamp >= since)
        if until is not None:
            query = query.where(self.table.c.timestamp < until)
        if sender_ids is not None:
            query = query.where(self.table.c.sender_id.in_(sender_ids))
        query = query.order_by(self.table.c.timestamp, self.table.c.id)
        with self.engine.connect() as connection:
            for sender_id, data in connection.execute(query):
                event = json.loads(data)
                event["sender_id"] = sender_id
                yield event

    def export_conversations(self, sender_ids: Sequence[str]) -> Dict[str, List[Dict[str, Any]]]:
        """Every stored event of these conversations, by conversation (for a member's request)."""
        found: Dict[str, List[Dict[str, Any]]] = {s: [] for s in sender_ids}
        for event in self.events(sender_ids=list(sender_ids)):
            found[event["sender_id"]].append(event)
        return found

    def sender_ids_for_member(self, member_ref: str) -> List[str]:
        """The conversations in which a message carried this member's ``member_ref``."""
        query = (
            sa.select(self.table.c.sender_id)
            .where(self.table.c.member_ref == member_ref)
            .distinct()
            .order_by(self.table.c.sender_id)
        )
        with self.engine.connect() as connection:
            return [row[0] for row in connection.execute(query)]

    def count(self) -> int:
        with self.engine.connect() as connection:
            return connection.execute(sa.select(sa.func.count()).select_from(self.table)).scalar()

    # --- erasing --------------------------------------------------------------------------
    def delete_conversations(self, sender_ids: Sequence[str]) -> int:
        """Erases every event of these conversations; returns how many events were deleted."""
        deleted = 0
        with self.engine.begin() as connection:
            for chunk in _chunks(sender_ids):
                result = connection.execute(
                    self.table.delete().where(self.table.c.sender_id.in_(chunk))
                )
                deleted += result.rowcount or 0
        return deleted

    def purge_before(self, timestamp: float) -> int:
        """Erases every event older than ``timestamp`` (seconds since the epoch)."""
        with self.engine.begin() as connection:
            result = connection.execute(
                self.table.delete().where(self.table.c.timestamp < float(timestamp))
            )
            return result.rowcount or 0

    def drop(self) -> None:
        """Removes the table (tests)."""
        self.table.drop(self.engine, checkfirst=True)

    def close(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(connection: Any, _: Any) -> None:
    # The Rasa server writes while `make report` reads: WAL lets both go on; NORMAL sync is
    # safe in WAL mode and spares an fsync per message.
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _chunks(values: Sequence[str]) -> Iterator[List[str]]:
    values = list(values)
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


# --- retention and erasure: one call each, on the configured store ----------------------------
def delete_events(sender_ids: Sequence[str], url: Optional[str] = None) -> int:
    """Erases the events of these conversations; the number of events deleted."""
    store = EventStore(url)
    try:
        return store.delete_conversations(sender_ids)
    finally:
        store.close()


def export_events(
    sender_ids: Sequence[str], url: Optional[str] = None
) -> Dict[str, List[Dict[str, Any]]]:
    """The events of these conversations, by conversation id, in time order."""
    store = EventStore(url)
    try:
        return store.export_conversations(sender_ids)
    finally:
        store.close()


def purge_events_before(timestamp: float, url: Optional[str] = None) -> int:
    """Erases the events older than ``timestamp``; the number of events deleted."""
    store = EventStore(url)
    try:
        return store.purge_before(timestamp)
    finally:
        store.close()


def sender_ids_for_member(member_ref: str, url: Optional[str] = None) -> List[str]:
    """The conversation ids whose messages carried ``member_ref``."""
    store = EventStore(url)
    try:
        return store.sender_ids_for_member(member_ref)
    finally:
        store.close()
