import re

import yaml

from knowledge.subjects import PERSONAL, SUBJECTS, general_keys, leading_subject
from tests.conftest import ROOT

CATALOGUE = yaml.safe_load((ROOT / "tests" / "intent_catalogue.yml").read_text())


def test_the_subjects_are_the_domains_topic_sections():
    sections = {}
    current = None
    domain = (ROOT / "domain.yml").read_text().split("\nentities:")[0]
    for line in domain.splitlines():
        header = re.match(r"# --- (\w+) ---", line)
        if header:
            current = header.group(1)
        elif line.startswith("- ") and current not in (None, "dialogue", "out_of_scope"):
            sections.setdefault(current, []).append(line[2:].strip())
    assert {k: sorted(v) for k, v in sections.items()} == {
        k: sorted(v) for k, v in SUBJECTS.items()
    }


def test_personal_keys_are_the_catalogues():
    assert set(PERSONAL) == set(CATALOGUE["personal"])
    every = {key for keys in SUBJECTS.values() for key in keys}
    assert every == set(CATALOGUE["personal"]) | set(CATALOGUE["faq"])


def test_a_personal_question_has_its_general_twins():
    assert set(general_keys("check_daily_allowance")) >= {
        "daily_allowance_amount",
        "waiting_period",
    }
    assert "health_insurance_affiliation" in general_keys("request_rights_certificate")


def test_leaders_of_one_subject_make_that_subject_sure():
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.55},
        {"name": "check_daily_allowance", "confidence": 0.35},
        {"name": "daily_allowance_amount", "confidence": 0.30},
    ]
    assert leading_subject(ranking, sure=0.6) == "daily_allowance"
    assert leading_subject(ranking[:2], sure=0.6) is None
