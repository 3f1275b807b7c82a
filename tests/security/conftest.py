"""What the bad-input and fault tests share: a record of how many cases each ran.

Every fuzz target adds its figures to `fuzz_record`; at the end of the session they are
printed and written to tests/artifacts/security/figures.json, the source of SECURITY.md.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, Dict, Iterator

import pytest

from tests.conftest import ROOT

FIGURES = ROOT / "tests" / "artifacts" / "security" / "figures.json"
NORMAL_QUESTION = "Comment obtenir une attestation de droits ?"


class Record:
    """Figures of one target: cases sent, answers by status, slowest answer."""

    def __init__(self) -> None:
        self.cases = 0
        self.statuses: Counter = Counter()
        self.slowest_seconds = 0.0
        self.extra: Dict[str, Any] = {}

    def add(self, status: Any, seconds: float) -> None:
        self.cases += 1
        self.statuses[str(status)] += 1
        self.slowest_seconds = max(self.slowest_seconds, seconds)

    def as_dict(self) -> Dict[str, Any]:
        return {
            "cases": self.cases,
            "statuses": dict(sorted(self.statuses.items())),
            "slowest_seconds": round(self.slowest_seconds, 3),
            **self.extra,
        }


@pytest.fixture(scope="session")
def security_figures() -> Iterator[Dict[str, Any]]:
    figures: Dict[str, Any] = {}
    yield figures
    if not figures:
        return
    rendered = {k: v.as_dict() if isinstance(v, Record) else v for k, v in figures.items()}
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
    FIGURES.write_text(json.dumps({**previous, **rendered}, indent=2, ensure_ascii=False))
    print("\nsecurity figures:", json.dumps(rendered, indent=2, ensure_ascii=False))


@pytest.fixture
def fuzz_record(security_figures: Dict[str, Any], request: pytest.FixtureRequest) -> Record:
    """The record of the current test, under its name."""
    record = security_figures.setdefault(request.node.name, Record())
    return record
