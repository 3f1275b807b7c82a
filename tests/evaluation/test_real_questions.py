"""The real-question set: enough real words, from enough sources, split by source, never
trained on."""

from collections import Counter

import pytest
import yaml

from evaluation.real_questions import DEV, KINDS, TEST, load
from knowledge.articles import read_articles
from knowledge.text import normalized
from tests.conftest import ROOT
from tests.nlu_data import load_intent_examples, training_files

CATALOGUE = yaml.safe_load((ROOT / "tests" / "intent_catalogue.yml").read_text())
KEYS = {key for section in CATALOGUE.values() for key in section}


@pytest.fixture(scope="module")
def questions():
    return load()


def test_the_set_is_large_and_varied(questions):
    assert len(questions) >= 800
    assert len({q.source for q in questions}) >= 150
    assert sum(not q.in_scope for q in questions) >= 200
    assert Counter(q.source_kind for q in questions).keys() <= set(KINDS)


def test_every_question_has_its_provenance_and_a_label(questions):
    ids = {a.id for a in read_articles()[0]}
    for q in questions:
        assert q.source.startswith(("http://", "https://")), q
        assert q.scope in ("in", "out"), q
        assert q.labels and set(q.labels) <= KEYS | ids, q


def test_the_halves_are_split_by_source_site(questions):
    dev = {q.site for q in questions if q.half == DEV}
    test = {q.site for q in questions if q.half == TEST}
    assert not dev & test
    share = sum(q.half == TEST for q in questions) / len(questions)
    assert 0.35 <= share <= 0.65


def test_nothing_of_the_set_is_in_the_training_data_or_the_articles(questions):
    examples = load_intent_examples(training_files())
    trained = {normalized(text) for texts in examples.values() for text in texts}
    trained |= {normalized(q) for a in read_articles()[0] for q in (a.title, *a.questions)}
    leaked = [q.text for q in questions if normalized(q.text) in trained]
    assert not leaked, leaked[:10]
