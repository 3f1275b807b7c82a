"""Two caches in front of Rasa's model: what a message means, and what to do next.

Most of a Rasa server's time per message goes into running the model: the NLU pipeline (spaCy,
featurizers, DIET) on the text, then the policies (Memoization, Rule, TED) on the conversation,
once per action. Members ask the same questions in the same words all day ("attestation de
droits", "où en est mon remboursement"), and a conversation's first turns follow a handful of
paths, so the same inputs come back again and again. Both results are pure functions of their
inputs for a given model:

- the parse of a message depends only on its text (no NLU component of ours reads the
  conversation or the metadata);
- the policies' prediction depends only on the conversation's states (the features the
  policies are trained on: intents, entities, slots, previous action, active loop), plus the
  "hidden rule turn" flags and whether the last event was a rejected action.

So each is kept in a bounded LRU keyed by the model id and those inputs, and handed out as a
deep copy (Rasa mutates what it gets). A different model (a new model loaded through the API)
has a different id, hence different keys. ``ASSURBOT_CACHE=0`` turns both off, for the
benchmark's "without cache" figures and for anyone who doubts them; the tests check that the
answers are the same with and without.

A third change is not a cache: Rasa checks every reply of the action server with
``jsonschema.validate(reply, spec)``, which with jsonschema 4.x checks the schema itself again
on each call (RasaHQ/rasa#11717): about 20 ms per custom action here. The validator is built once
instead (0.6 ms; benchmarks/jsonschema_validation.py). It is always on.

Rasa 3.6 has no hook around these calls, so they are wrapped on ``MessageProcessor`` when
Rasa imports our channels (``install()``, idempotent).
"""

from __future__ import annotations

import copy
import json
import logging
import os
import threading
from collections import OrderedDict
from typing import Any, Callable, Dict, Hashable, Optional, Tuple

logger = logging.getLogger(__name__)

DEFAULT_SIZE = 20_000


def enabled() -> bool:
    return os.environ.get("ASSURBOT_CACHE", "1").strip().lower() not in ("0", "false", "no", "off")


class LruCache:
    """A bounded mapping that forgets the least recently used entry; counts hits and misses."""

    def __init__(self, size: int) -> None:
        self.size = max(0, size)
        self._entries: "OrderedDict[Hashable, Any]" = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> Optional[Any]:
        with self._lock:
            value = self._entries.get(key)
            if value is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: Hashable, value: Any) -> None:
        if self.size == 0:
            return
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def stats(self) -> Dict[str, int]:
        return {"entries": len(self), "hits": self.hits, "misses": self.misses}


def _size(variable: str) -> int:
    try:
        return int(os.environ.get(variable, DEFAULT_SIZE))
    except ValueError:
        return DEFAULT_SIZE


PARSES = LruCache(_size("ASSURBOT_PARSE_CACHE_SIZE"))
PREDICTIONS = LruCache(_size("ASSURBOT_PREDICTION_CACHE_SIZE"))


def prediction_key(tracker: Any, domain: Any) -> Tuple[Any, ...]:
    """What the policies see of a conversation, as a hashable value."""
    states = tracker.past_states(domain)
    hidden = tuple(
        bool(getattr(event, "hide_rule_turn", False))
        for event in tracker.events
        if type(event).__name__ == "ActionExecuted"
    )
    last = type(tracker.events[-1]).__name__ if tracker.events else ""
    active_loop = tracker.active_loop_name
    return (json.dumps(states, sort_keys=True, default=list), hidden, last, active_loop)


def _cached_parse(original: Callable[..., Dict[str, Any]]) -> Callable[..., Dict[str, Any]]:
    def parse(self: Any, message: Any, tracker: Any, only_output_properties: bool = True):
        if not enabled() or not isinstance(message.text, str):
            return original(self, message, tracker, only_output_properties)
        key = (self.model_metadata.model_id, only_output_properties, message.text)
        cached = PARSES.get(key)
        if cached is None:
            cached = original(self, message, tracker, only_output_properties)
            PARSES.put(key, copy.deepcopy(cached))
            return cached
        return copy.deepcopy(cached)

    parse.__wrapped__ = original  # type: ignore[attr-defined]
    return parse


def _cached_prediction(original: Callable[..., Any]) -> Callable[..., Any]:
    def predict(self: Any, tracker: Any) -> Any:
        # A follow-up action is decided without the policies: leave it to Rasa.
        if not enabled() or tracker.followup_action:
            return original(self, tracker)
        key = (self.model_metadata.model_id, prediction_key(tracker, self.domain))
        cached = PREDICTIONS.get(key)
        if cached is None:
            cached = original(self, tracker)
            PREDICTIONS.put(key, copy.deepcopy(cached))
            return cached
        return copy.deepcopy(cached)

    predict.__wrapped__ = original  # type: ignore[attr-defined]
    return predict


def _validation_built_once(original: Callable[..., bool]) -> Callable[..., bool]:
    validators: Dict[str, Any] = {}

    def validate(self: Any, result: Dict[str, Any]) -> bool:
        from jsonschema import ValidationError
        from jsonschema.validators import validator_for

        validator = validators.get("reply")
        if validator is None:
            spec = self.action_response_format_spec()
            validator = validators["reply"] = validator_for(spec)(spec)
        try:
            validator.validate(result)
            return True
        except ValidationError:
            return original(self, result)  # Rasa's own message and behaviour on bad replies

    validate.__wrapped__ = original  # type: ignore[attr-defined]
    return validate


def install() -> None:
    """Wraps MessageProcessor's parse and prediction with the caches, once, and builds the
    action-reply validator once."""
    from rasa.core.actions.action import RemoteAction
    from rasa.core.processor import MessageProcessor

    if getattr(MessageProcessor, "_assurbot_cached", False):
        return
    RemoteAction._validate_action_result = _validation_built_once(  # type: ignore[method-assign]
        RemoteAction._validate_action_result
    )
    MessageProcessor._parse_message_with_graph = _cached_parse(  # type: ignore[method-assign]
        MessageProcessor._parse_message_with_graph
    )
    MessageProcessor._predict_next_with_tracker = _cached_prediction(  # type: ignore[method-assign]
        MessageProcessor._predict_next_with_tracker
    )
    MessageProcessor._assurbot_cached = True  # type: ignore[attr-defined]
    logger.info("Parse and prediction caches installed (ASSURBOT_CACHE=%s).", int(enabled()))


def stats() -> Dict[str, Dict[str, int]]:
    return {"parses": PARSES.stats(), "predictions": PREDICTIONS.stats()}
