"""Locust load of the benchmark: members in conversation with the REST webhook.

Each simulated member holds one conversation at a time (about two messages, see corpus.py),
then starts another under a new conversation id. ``BENCH_USER_RATE`` (messages per second per
user) makes the load open-loop: each user sends at random moments (a Poisson process of that
rate: exponential gaps, independent of the answers), so that N users together make the
arrivals of N independent members, N × rate messages per second on average, bursts included.
Unset, each user sends its next message as soon as it has the answer (closed loop: the
server's maximum throughput at that concurrency).

    locust -f benchmarks/locustfile.py --headless -u 32 -r 32 -t 30s --host http://127.0.0.1:5005
"""

from __future__ import annotations

import os
import random
import time
import uuid
from typing import Any, Callable

import gevent
from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser

from benchmarks.corpus import Corpus
from member_system.token import issue_token

RATE = float(os.environ.get("BENCH_USER_RATE", "0") or 0)
SEED = int(os.environ.get("BENCH_SEED", "2024"))
_corpus = None


def corpus() -> Corpus:
    global _corpus
    if _corpus is None:
        _corpus = Corpus(SEED)
    return _corpus


def poisson(rate: float) -> Callable[[Any], float]:
    """Wait time of a user whose messages start as a Poisson process of `rate` per second.

    The schedule does not depend on the answers: a slow answer delays the user's next message
    only when it is already due (then it leaves at once), as a member's would.
    """

    def wait_time(user: Any) -> float:
        now = time.monotonic()
        planned = getattr(user, "_next_start", now) + random.expovariate(rate)
        user._next_start = planned
        return max(0.0, planned - now)

    return wait_time


class Member(FastHttpUser):
    wait_time = poisson(RATE) if RATE > 0 else constant(0)

    def on_start(self) -> None:
        if RATE > 0:  # the first message too at a random moment, not all users at once
            gevent.sleep(random.expovariate(RATE))
            self._next_start = time.monotonic()
        self.queue: list = []
        self.sender = ""
        self.metadata: dict = {}
        self.kind = ""

    def _next_conversation(self) -> None:
        conversation = corpus().conversation()
        self.queue = list(conversation.messages)
        self.kind = conversation.kind
        self.sender = "bench-" + uuid.uuid4().hex
        self.metadata = (
            {"auth_token": issue_token(conversation.persona, ttl=3600)}
            if conversation.persona
            else {}
        )

    @task
    def send(self) -> None:
        if not self.queue:
            self._next_conversation()
        text = self.queue.pop(0)
        body = {"sender": self.sender, "message": text, "metadata": self.metadata}
        with self.client.post(
            "/webhooks/rest/webhook", json=body, name=self.kind, catch_response=True
        ) as reply:
            if reply.status_code != 200:
                reply.failure(f"HTTP {reply.status_code}")
            elif not reply.json():
                reply.failure("no answer")
