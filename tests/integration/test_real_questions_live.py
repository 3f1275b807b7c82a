"""`make evaluate` replays real questions without the servers: the live webhook must agree.

A sample of the test half is sent over REST to the running stack, one new conversation each,
and what the member receives (its `custom` field) is compared with evaluation/replay.py's
decision for the same text.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

from assurbot.train import model_path
from evaluation.real_questions import TEST, load
from evaluation.replay import Reader, reply_to
from knowledge.service import Knowledge

pytestmark = pytest.mark.integration
SAMPLE = 40


def live_outcome(replies: List[Dict[str, Any]]) -> Tuple[str, str]:
    customs = [r.get("custom") for r in replies if isinstance(r.get("custom"), dict)]
    for custom in customs:
        if "clarify" in custom:
            return "clarify", ",".join(custom["clarify"])
    for custom in customs:
        if custom.get("answer"):
            return "answer", custom["answer"]["id"]
    if {"answer": None} in customs:
        return "no_answer", ""
    return "other", ""


def replay_outcome(reply) -> Tuple[str, str]:
    if reply.detail == "clarify":
        return "clarify", ",".join(reply.articles)
    if reply.detail == "answer":
        return "answer", reply.articles[0]
    if reply.detail == "personal":
        return "answer", f"action_{reply.intent}"
    if reply.detail == "no_answer":
        return "no_answer", ""
    return "other", ""


def test_the_live_webhook_answers_as_the_evaluation_replays(stack):
    questions = load(TEST)
    sample = questions[:: max(1, len(questions) // SAMPLE)][:SAMPLE]
    reader = Reader(Path(os.environ.get("RASA_MODEL") or model_path()))
    knowledge = Knowledge.load()
    parses = reader.read([q.text for q in sample])
    differences = []
    for question, parse in zip(sample, parses, strict=True):
        live = live_outcome(stack.say(f"rq-{uuid.uuid4().hex[:10]}", question.text))
        replayed = replay_outcome(reply_to(parse, knowledge))
        if live != replayed:
            differences.append((question.text, live, replayed))
    assert not differences, differences
