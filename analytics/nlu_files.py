"""Reading Rasa NLU files as members' messages: the review, the merge and the data tests share it.

``normalise`` decides when two messages are "the same" (case, accents, punctuation and spacing
ignored): what `make test` calls a duplicate, and what the merge refuses.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Dict, Iterable, List

import yaml

ANNOTATION = re.compile(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})")


def examples_of(block: str) -> List[str]:
    """The texts of an `examples: |` block, entity annotations removed."""
    texts = []
    for line in block.splitlines():
        line = line.strip()
        if line.startswith("- "):
            texts.append(ANNOTATION.sub(r"\1", line[2:].strip()))
    return texts


def load_intent_examples(paths: Iterable[Path]) -> Dict[str, List[str]]:
    """intent -> its examples, over the given files."""
    found: Dict[str, List[str]] = defaultdict(list)
    for path in paths:
        document = yaml.safe_load(Path(path).read_text()) or {}
        for item in document.get("nlu", []) or []:
            if "intent" in item:
                found[item["intent"]].extend(examples_of(item.get("examples", "") or ""))
    return dict(found)


def story_messages(path: Path) -> List[List[str]]:
    """The member's messages of each story of a test-stories file, in order."""
    stories = (yaml.safe_load(Path(path).read_text()) or {}).get("stories", []) or []
    found = []
    for story in stories:
        texts = [str(s["user"]).strip() for s in story.get("steps", []) or [] if "user" in s]
        if texts:
            found.append(texts)
    return found


def training_messages(root: Path) -> Dict[str, str]:
    """Normalised text -> where it is, over the training examples (data/nlu/*.yml)."""
    found: Dict[str, str] = {}
    for path in sorted((root / "data" / "nlu").glob("*.yml")):
        for intent, texts in load_intent_examples([path]).items():
            for text in texts:
                found.setdefault(normalise(text), f"data/nlu/{path.name} ({intent})")
    return found


def test_messages(root: Path) -> Dict[str, str]:
    """Normalised text -> where it is, over the test sets: held-out NLU set and test stories."""
    found: Dict[str, str] = {}
    held_out = root / "tests" / "test_nlu.yml"
    if held_out.exists():
        for texts in load_intent_examples([held_out]).values():
            for text in texts:
                found.setdefault(normalise(text), "tests/test_nlu.yml")
    stories = root / "tests" / "test_stories.yml"
    if stories.exists():
        for texts in story_messages(stories):
            for text in texts:
                found.setdefault(normalise(ANNOTATION.sub(r"\1", text)), "tests/test_stories.yml")
    return found


def normalise(text: str) -> str:
    """Lower case, accents, punctuation and spacing removed: what makes two examples 'the same'."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())
