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
