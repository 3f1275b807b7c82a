"""Reading the NLU files as members' messages: used by the data checks and the evaluation."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Dict, List

import yaml

ROOT = Path(__file__).resolve().parent.parent
ANNOTATION = re.compile(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})")


def examples_of(block: str) -> List[str]:
    """The texts of an `examples: |` block, entity annotations removed."""
    texts = []
    for line in block.splitlines():
        line = line.strip()
        if line.startswith("- "):
            texts.append(ANNOTATION.sub(r"\1", line[2:].strip()))
    return texts


def load_intent_examples(paths: List[Path]) -> Dict[str, List[str]]:
    """intent (or faq/<key>) -> its examples, over the given files."""
    found: Dict[str, List[str]] = defaultdict(list)
    for path in paths:
        document = yaml.safe_load(path.read_text()) or {}
        for item in document.get("nlu", []) or []:
            if "intent" in item:
                found[item["intent"]].extend(examples_of(item.get("examples", "")))
    return dict(found)


def training_files() -> List[Path]:
    return sorted((ROOT / "data" / "nlu").glob("*.yml"))


def normalise(text: str) -> str:
    """Lower case, accents, punctuation and spacing removed: what makes two examples 'the same'."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())
