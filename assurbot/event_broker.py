"""Rasa's event broker for Assurbot: each conversation event goes into the event store.

Loaded from endpoints.yml (``type: assurbot.event_broker.AssurbotEventBroker``); its ``url`` is
``EVENT_STORE_URL``: empty for SQLite under var/, a PostgreSQL URL otherwise, ``off`` for none.
The store strips tokens and masks personal data before writing (assurbot/event_store.py).

Events are written in batches by a background thread, every ``EVENT_STORE_FLUSH_SECONDS``
(default 0.5 s) or 500 events, in one transaction: writing each event in its own transaction
took a third of a Rasa worker's time under load (benchmarks/RESULTS.md, profile). The member's
answer never waits for the analytics. The price: if the process is killed (not stopped), at
most the last half-second of events is missing from the report; the conversation itself is in
the tracker store, which is written before the answer leaves. A normal stop flushes.

Retention: the same thread deletes the events older than ``CONVERSATION_RETENTION_SECONDS``
(30 days by default, as in the tracker stores) when it starts, then once an hour.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from asyncio import AbstractEventLoop
from typing import Any, Dict, Optional, Text

from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig

from assurbot.event_store import DEFAULT_TABLE, EventStore, is_off

logger = logging.getLogger(__name__)


BATCH = 500
PURGE_EVERY = 3600.0


def retention_seconds() -> Optional[float]:
    """How long events are kept; None when CONVERSATION_RETENTION_SECONDS is 0 (forever)."""
    try:
        seconds = float(os.environ.get("CONVERSATION_RETENTION_SECONDS", "") or 2_592_000)
    except ValueError:
        seconds = 2_592_000
    return seconds if seconds > 0 else None


def flush_seconds() -> float:
    try:
        return max(0.01, float(os.environ.get("EVENT_STORE_FLUSH_SECONDS", "") or 0.5))
    except ValueError:
        return 0.5


class AssurbotEventBroker(EventBroker):
    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.interval = flush_seconds()
        self._queue: "queue.Queue[Dict[Text, Any]]" = queue.Queue()
        self._stopped = threading.Event()
        self.retention = retention_seconds()
        self._last_purge = 0.0
        self._writer = threading.Thread(target=self._run, name="event-store", daemon=True)
        self._writer.start()

    def _run(self) -> None:
        self.purge_if_due()
        while not self._stopped.is_set():
            self._stopped.wait(self.interval)
            self.flush()
            self.purge_if_due()

    def purge_if_due(self) -> int:
        """Deletes the events past the retention period, at most once an hour."""
        now = time.time()
        if self.retention is None or now - self._last_purge < PURGE_EVERY:
            return 0
        self._last_purge = now
        try:
            deleted = self.store.purge_before(now - self.retention)
        except Exception as error:
            logger.error("Could not purge old conversation events (%s)", type(error).__name__)
            return 0
        if deleted:
            logger.info(
                "Retention: %d conversation events older than %.0f days deleted.",
                deleted,
                self.retention / 86400,
            )
        return deleted

    def flush(self) -> int:
        """Writes what is queued; the number of events written."""
        written = 0
        while True:
            batch = []
            try:
                while len(batch) < BATCH:
                    batch.append(self._queue.get_nowait())
            except queue.Empty:
                pass
            if not batch:
                return written
            try:
                written += self.store.write(batch)
            except Exception as error:  # analytics must never cost a member their answer
                # The error's type only: a database error quotes the rows, i.e. conversations.
                logger.error(
                    "Could not store %d conversation events (%s)", len(batch), type(error).__name__
                )

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: EndpointConfig, event_loop: Optional[AbstractEventLoop] = None
    ) -> Optional["AssurbotEventBroker"]:
        url = broker_config.url or ""
        if is_off(url):
            logger.info("Event store off (EVENT_STORE_URL=%s): no conversation event kept.", url)
            return None
        table = (broker_config.kwargs.get("table") or "").strip() or DEFAULT_TABLE
        store = EventStore(url, table=table)
        logger.info("Conversation events go to the %s event store.", store.engine.dialect.name)
        return cls(store)

    def publish(self, event: Dict[Text, Any]) -> None:
        self._queue.put(event)

    async def close(self) -> None:
        self._stopped.set()
        self._writer.join(timeout=10)
        self.flush()
        self.store.close()
