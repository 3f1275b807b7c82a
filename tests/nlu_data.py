"""Reading the NLU files as members' messages: used by the data checks and the evaluation."""

from __future__ import annotations

from pathlib import Path
from typing import List

# One definition of "the same message" for the data tests and the merge of reviewed messages.
from analytics.nlu_files import ANNOTATION, examples_of, load_intent_examples, normalise

ROOT = Path(__file__).resolve().parent.parent

__all__ = [
    "ANNOTATION",
    "ROOT",
    "examples_of",
    "load_intent_examples",
    "normalise",
    "training_files",
]


def training_files() -> List[Path]:
    return sorted((ROOT / "data" / "nlu").glob("*.yml"))
