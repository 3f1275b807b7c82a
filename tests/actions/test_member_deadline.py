"""One call to the member-information system, its retry included, ends by its deadline.

Two attempts of MEMBER_SYSTEM_TIMEOUT (3 s) would keep a member 6 s without an answer: the
deadline (MEMBER_SYSTEM_DEADLINE, 3.5 s) leaves the answer under 5 s (tests/security
measures it end to end).
"""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from actions import settings
from actions.member_client import MemberClient, MemberSystemUnavailable

PAGE = {"member_id": "M-1", "total": 0, "limit": 20, "offset": 0, "items": []}


def transport(delays):
    """Answers after each of `delays` seconds in turn (then the last one), counting calls."""
    calls = []

    async def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        await asyncio.sleep(delays[min(len(calls), len(delays)) - 1])
        return httpx.Response(200, json=PAGE)

    return httpx.MockTransport(handler), calls


def test_the_deadline_defaults_to_three_and_a_half_seconds(monkeypatch):
    monkeypatch.delenv("MEMBER_SYSTEM_DEADLINE", raising=False)
    assert settings.member_system_deadline() == 3.5
    monkeypatch.setenv("MEMBER_SYSTEM_DEADLINE", "2")
    assert MemberClient("http://x", "k").deadline == 2.0


async def test_a_slow_system_is_given_up_at_the_deadline_not_after_two_timeouts():
    # (a mock transport is never timed out by httpx: the ceiling of 2 x timeout applies)
    mock, calls = transport([10])
    async with MemberClient("http://x", "k", timeout=0.4, deadline=1.0, transport=mock) as client:
        started = time.perf_counter()
        with pytest.raises(MemberSystemUnavailable):
            await client.list_reimbursements("M-1")
        elapsed = time.perf_counter() - started
    assert elapsed < 1.3, "a 1 s deadline, not two attempts of 0.8 s"
    assert len(calls) == 2, "the retry got what was left of the deadline"


async def test_no_retry_when_the_deadline_leaves_no_time_for_one():
    mock, calls = transport([10])
    async with MemberClient("http://x", "k", timeout=0.5, deadline=0.5, transport=mock) as client:
        with pytest.raises(MemberSystemUnavailable, match="no time left"):
            await client.list_reimbursements("M-1")
    assert len(calls) == 1


async def test_a_retry_within_the_deadline_still_rescues_the_call():
    mock, calls = transport([10, 0])
    async with MemberClient("http://x", "k", timeout=0.3, deadline=1.0, transport=mock) as client:
        page = await client.list_reimbursements("M-1")
    assert page.total == 0 and len(calls) == 2
