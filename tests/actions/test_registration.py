"""The actions domain.yml lists are exactly those the action server registers."""

import yaml
from rasa_sdk.executor import ActionExecutor

from tests.nlu_data import ROOT


def test_domain_actions_are_exactly_the_registered_ones():
    executor = ActionExecutor()
    executor.register_package("actions")
    registered = set(executor.actions)
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    declared = {a for a in domain.get("actions", []) if not a.startswith("utter_")}
    assert declared == registered, {
        "declared but not registered": declared - registered,
        "registered but not declared": registered - declared,
    }


def test_every_catalogue_intent_has_a_hand_off_topic():
    from actions.topics import TOPIC_OF_INTENT

    catalogue = yaml.safe_load((ROOT / "tests" / "intent_catalogue.yml").read_text())
    expected = set(catalogue["personal"]) | set(catalogue["faq"])
    assert set(TOPIC_OF_INTENT) == expected
    for intent, topic in TOPIC_OF_INTENT.items():
        text = (ROOT / "data" / "nlu" / f"{topic}.yml").read_text()
        assert f"intent: {intent}\n" in text, (intent, topic)
