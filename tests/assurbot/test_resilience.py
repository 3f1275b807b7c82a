"""A custom action that cannot run answers the technical problem, and ends the turn."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, FollowupAction
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from assurbot import resilience
from assurbot.channels import TECHNICAL_PROBLEM


class FakeAction:
    def name(self) -> str:
        return "action_check_reimbursement_status"


TRACKER = DialogueStateTracker.from_events("s1", [])


async def run_wrapped(run, timeout: str, monkeypatch):
    monkeypatch.setenv("ACTION_SERVER_TIMEOUT", timeout)
    wrapped = resilience._answering_technical_problem(run)
    return await wrapped(FakeAction(), CollectingOutputChannel(), None, TRACKER, None)


def assert_technical_problem(events) -> None:
    assert isinstance(events[0], BotUttered) and events[0].text == TECHNICAL_PROBLEM
    assert isinstance(events[1], FollowupAction) and events[1].action_name == "action_listen"


async def test_an_action_server_that_fails_gives_the_technical_problem_answer(monkeypatch):
    async def failing(*_):
        raise RasaException("Failed to execute custom action")

    assert_technical_problem(await run_wrapped(failing, "4", monkeypatch))


async def test_an_action_server_that_hangs_is_given_up_after_its_timeout(monkeypatch):
    async def hanging(*_):
        await asyncio.sleep(60)

    started = time.perf_counter()
    events = await run_wrapped(hanging, "0.2", monkeypatch)
    assert time.perf_counter() - started < 2
    assert_technical_problem(events)


async def test_a_rejection_is_rasa_s_own_flow_and_passes_through(monkeypatch):
    async def rejecting(*_):
        raise ActionExecutionRejection("validate_claim_form", "not this one")

    with pytest.raises(ActionExecutionRejection):
        await run_wrapped(rejecting, "4", monkeypatch)


async def test_a_successful_action_is_untouched(monkeypatch):
    async def fine(*_):
        return [BotUttered("vos remboursements")]

    assert [e.text for e in await run_wrapped(fine, "4", monkeypatch)] == ["vos remboursements"]


def test_the_timeout_defaults_to_four_seconds(monkeypatch):
    monkeypatch.delenv("ACTION_SERVER_TIMEOUT", raising=False)
    assert resilience.action_server_timeout() == 4.0
    monkeypatch.setenv("ACTION_SERVER_TIMEOUT", "soon")
    assert resilience.action_server_timeout() == 4.0


async def test_installed_on_rasa_s_remote_action_an_unreachable_server_answers():
    resilience.install()
    resilience.install()  # idempotent: wrapped once
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    action = RemoteAction(
        "action_check_reimbursement_status", EndpointConfig(f"http://127.0.0.1:{port}/webhook")
    )
    events = await action.run(CollectingOutputChannel(), None, TRACKER, Domain.empty())
    assert_technical_problem(events)
