"""A custom action that cannot run gives the member the technical-problem answer, within 5 s.

Rasa 3.6 waits up to 5 minutes for the action server (``DEFAULT_REQUEST_TIMEOUT``, not
configurable), and when it cannot reach it, it logs the error, drops the action's events and
goes on predicting: the member then gets nothing, or, worse, "je n'arrive pas à comprendre
votre demande", as if the question were at fault (measured in tests/security/test_faults.py).
Here a call to the action server that fails, or lasts more than ``ACTION_SERVER_TIMEOUT``
seconds (4 by default: the member-information client gives up at 3.5 s, and the member must be
answered within 5), ends the turn with the technical-problem answer, stored in the
conversation like any answer.

Rasa has no hook around the call, so ``RemoteAction.run`` is wrapped when Rasa imports our
channels (``install()``, idempotent). A rejection by the action server (a form's validation
refusing the action) is Rasa's own flow and passes through untouched.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
from typing import Any, Callable, List

logger = logging.getLogger(__name__)

DEFAULT_ACTION_SERVER_TIMEOUT = 4.0


def action_server_timeout() -> float:
    try:
        return float(os.environ.get("ACTION_SERVER_TIMEOUT") or DEFAULT_ACTION_SERVER_TIMEOUT)
    except ValueError:
        return DEFAULT_ACTION_SERVER_TIMEOUT


def _answering_technical_problem(run: Callable[..., Any]) -> Callable[..., Any]:
    from rasa.core.actions.action import ActionExecutionRejection
    from rasa.shared.core.constants import ACTION_LISTEN_NAME
    from rasa.shared.core.events import BotUttered, FollowupAction

    @functools.wraps(run)
    async def wrapped(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List:
        try:
            return await asyncio.wait_for(
                run(self, output_channel, nlg, tracker, domain), timeout=action_server_timeout()
            )
        except ActionExecutionRejection:
            raise
        except Exception as error:  # unreachable, 5xx, too slow, malformed reply
            from assurbot.channels import TECHNICAL_PROBLEM

            logger.error(
                "Custom action %s could not run (%s: %s); conversation %s is told of a "
                "technical problem.",
                self.name(),
                type(error).__name__,
                error,
                tracker.sender_id,
            )
            # Listen next: predicting on would answer as if the member had been misunderstood.
            return [BotUttered(TECHNICAL_PROBLEM), FollowupAction(ACTION_LISTEN_NAME)]

    return wrapped


def install() -> None:
    from rasa.core.actions.action import RemoteAction

    if getattr(RemoteAction, "_assurbot_resilient", False):
        return
    RemoteAction.run = _answering_technical_problem(RemoteAction.run)  # type: ignore[method-assign]
    RemoteAction._assurbot_resilient = True  # type: ignore[attr-defined]
