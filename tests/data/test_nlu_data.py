"""The topic contract and the quality of the training data."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from knowledge.articles import load_articles
from tests.nlu_data import ROOT, load_intent_examples, normalise, training_files

CATALOGUE = yaml.safe_load((ROOT / "tests" / "intent_catalogue.yml").read_text())
SHARED_CATALOGUE = ROOT.parent / "shared" / "intent_catalogue.yml"
MIN_EXAMPLES = 40


def catalogue_names() -> list[str]:
    """Every catalogue key: each is a plain intent of the same name."""
    return [key for keys in CATALOGUE.values() for key in keys]


@pytest.fixture(scope="module")
def training() -> dict:
    return load_intent_examples(training_files())


@pytest.mark.skipif(not SHARED_CATALOGUE.exists(), reason="no ../shared beside the checkout")
def test_the_catalogue_copy_follows_shared():
    assert (ROOT / "tests" / "intent_catalogue.yml").read_text() == SHARED_CATALOGUE.read_text()


def test_every_catalogue_key_is_trained_under_its_exact_name(training):
    missing = [name for name in catalogue_names() if name not in training]
    assert not missing, f"catalogue keys without training examples: {missing}"


def test_every_intent_has_enough_examples(training):
    thin = {intent: len(ex) for intent, ex in training.items() if len(ex) < MIN_EXAMPLES}
    assert not thin, f"intents with fewer than {MIN_EXAMPLES} examples: {thin}"


def test_no_exact_or_case_or_accent_only_duplicates(training):
    seen: dict[str, str] = {}
    duplicates = []
    for intent, examples in training.items():
        for text in examples:
            key = normalise(text)
            if key in seen:
                duplicates.append((text, intent, seen[key]))
            seen[key] = intent
    assert not duplicates, f"{len(duplicates)} duplicates, e.g. {duplicates[:5]}"


def test_the_held_out_set_shares_no_message_with_training(training):
    trained = {normalise(t) for examples in training.values() for t in examples}
    held_out = load_intent_examples([ROOT / "tests" / "test_nlu.yml"])
    shared = [t for ex in held_out.values() for t in ex if normalise(t) in trained]
    assert not shared, f"held-out messages also in training: {shared[:10]}"


def test_the_held_out_set_covers_the_catalogue():
    held_out = load_intent_examples([ROOT / "tests" / "test_nlu.yml"])
    assert sum(len(v) for v in held_out.values()) >= 400
    thin = [name for name in catalogue_names() if len(held_out.get(name, [])) < 5]
    assert not thin, f"catalogue keys with fewer than 5 held-out messages: {thin}"
    assert len(held_out.get("out_of_scope", [])) >= 20


def test_every_domain_intent_is_trained_and_every_trained_intent_declared(training):
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    declared = {i if isinstance(i, str) else next(iter(i)) for i in domain["intents"]}
    trained = set(training)
    assert declared == trained, (declared - trained, trained - declared)


def test_every_faq_key_has_a_sourced_article_with_a_link():
    # General answers live in the knowledge base: each faq key has articles, each sourced,
    # dated and linked to its official page (knowledge/check.py checks the rest).
    articles = load_articles()
    by_key = defaultdict(list)
    for article in articles:
        by_key[article.catalogue_key].append(article)
    missing = [key for key in CATALOGUE["faq"] if not by_key.get(key)]
    assert not missing, f"faq keys without an article: {missing}"
    for article in articles:
        assert article.sources and article.checked and article.link.startswith("https://")


def test_training_files_are_named_after_topics():
    topics = {p.stem for p in Path(ROOT / "data" / "nlu").glob("*.yml")}
    rules_and_stories = {
        p.stem for d in ("rules", "stories") for p in (ROOT / "data" / d).glob("*.yml")
    }
    assert rules_and_stories <= topics | {"faq"}, rules_and_stories - topics


def test_every_topic_is_taught_in_the_styles_members_write_in():
    # Short queries and first-person messages for every topic, FAQ-title questions for the
    # general ones (evaluation/styles.py; shares per intent in benchmarks/training_styles.md).
    from evaluation.styles import shares

    table = shares(load_intent_examples(training_files()))
    missing = {}
    for section, wanted in (
        ("personal", ("query", "first_person")),
        ("faq", ("query", "faq_title", "first_person")),
    ):
        for intent in CATALOGUE[section]:
            lacking = [style for style in wanted if table[intent][style] == 0]
            if lacking:
                missing[intent] = lacking
    assert not missing, missing
