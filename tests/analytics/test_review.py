"""`make review`: misunderstood messages once each, masked, grouped by what the model leaned to."""

from __future__ import annotations

import re
from datetime import datetime

import yaml
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from analytics import review
from analytics.answers import by_message, turns
from analytics.metrics import conversations
from assurbot.event_store import EventStore
from knowledge.service import Knowledge
from tests.analytics.events import IBAN, action, article_answer, bot, user
from tests.analytics.test_metrics import END, START, at, synthetic_events
from tests.knowledge.conftest import write_small_base


def misunderstood_events() -> list:
    return [
        action("r1", "action_session_start", at(2, 9)),
        # Twice the same message, written differently: exported once, counted twice.
        user(
            "r1",
            "ma carte a été avalée par la borne",
            "nlu_fallback",
            0.55,
            at(2, 9, 1),
            ranking=[("nlu_fallback", 0.55), ("lost_vitale_card", 0.41)],
        ),
        action("r1", "action_two_stage_fallback", at(2, 9, 1, 1)),
        action("r2", "action_session_start", at(2, 10)),
        user(
            "r2",
            "Ma carte a été AVALÉE par la borne !",
            "nlu_fallback",
            0.55,
            at(2, 10, 1),
            ranking=[("nlu_fallback", 0.55), ("lost_vitale_card", 0.38)],
            metadata={"simulation": True},
        ),
        action("r2", "action_two_stage_fallback", at(2, 10, 1, 1)),
        # Personal data, in clear if it ever got this far: masked again.
        user(
            "r2",
            f"mon rib {IBAN} je le mets où",
            "change_bank_details",
            0.62,
            at(2, 10, 2),
        ),
        # Understood with enough confidence: not exported.
        user("r2", "je voudrais mon attestation", "request_rights_certificate", 0.93, at(2, 10, 3)),
        # Already a held-out test message: left out, the evaluation must not see it in training.
        user("r2", "bonjour Assurbot", "greet", 0.5, at(2, 10, 4)),
        # A button's payload is never a training example.
        user("r2", "/lost_vitale_card", "nlu_fallback", 0.55, at(2, 10, 5)),
    ]


def collected():
    return review.collect(
        conversations(misunderstood_events()), START, END, review.known_messages()
    )


def test_misunderstood_messages_are_deduplicated_masked_and_grouped():
    found = collected()
    assert list(found.groups) == ["lost_vitale_card", "change_bank_details"]
    card = found.groups["lost_vitale_card"]
    assert [(c.text, c.count, c.fallback, c.simulated) for c in card] == [
        ("ma carte a été avalée par la borne", 2, 2, 1)
    ]
    assert card[0].confidences == [0.41, 0.38]
    bank = found.groups["change_bank_details"][0]
    assert bank.text == "mon rib [IBAN masqué] je le mets où" and bank.fallback == 0
    assert (found.received, found.distinct, found.known, found.simulated) == (4, 2, 1, 1)


def test_the_threshold_decides_what_low_confidence_is():
    strict = review.collect(
        conversations(misunderstood_events()), START, END, set(), threshold=0.95
    )
    assert "request_rights_certificate" in strict.groups
    lenient = review.collect(conversations(misunderstood_events()), START, END, set(), 0.6)
    assert "change_bank_details" not in lenient.groups


def test_the_file_is_rasa_nlu_yaml_with_instructions(tmp_path):
    text = review.render(collected(), datetime(2026, 11, 9, 8, 0))
    document = yaml.safe_load(text)
    assert document["nlu"][0] == {
        "intent": "lost_vitale_card",
        "examples": "- ma carte a été avalée par la borne\n",
    }
    data = RasaYAMLReader().reads(text)
    assert {m.get("intent") for m in data.intent_examples} == {
        "lost_vitale_card",
        "change_bank_details",
    }
    assert "déplacez la ligne sous la bonne intention" in text
    assert "supprimez la ligne" in text and "make merge REVIEW=" in text
    assert "1 de ces messages viennent de `make simulate`" in text
    assert IBAN not in text


def test_export_from_the_store_writes_one_file_per_period(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KNOWLEDGE_VECTORS", "off")  # the lexical search suggests well enough here
    url = f"sqlite:///{tmp_path / 'events.db'}"
    store = EventStore(url)
    store.write(misunderstood_events() + synthetic_events())
    store.close()
    out = tmp_path / "review"
    code = review.main(
        ["--from", START.isoformat(), "--to", END.isoformat(), "--store", url, "--out", str(out)]
    )
    assert code == 0
    printed = capsys.readouterr().out.strip().splitlines()
    path = out / "revue_2026-11-02_2026-11-03.yml"
    assert printed[-1] == str(path.resolve())
    groups = {item["intent"] for item in yaml.safe_load(path.read_text())["nlu"]}
    # from the synthetic conversations: "blabla" (covid_test) and "zzz"/"xxx" (no real intent
    # ranked: out_of_scope); "où en est mon remboursement" (0.65) is a training example already
    assert groups == {"lost_vitale_card", "change_bank_details", "covid_test", "out_of_scope"}
    # Beside each message, the three closest articles of data/knowledge/: id « title » score.
    near = re.findall(r"^#       articles proches : (.*)$", path.read_text(), re.MULTILINE)
    assert len(near) == 5  # one per distinct message
    assert all(re.fullmatch(r"(\w+ « [^»]+ » \d,\d\d( ; )?){3}", line) for line in near), near


def test_an_empty_review_still_reads(tmp_path):
    empty = review.collect([], START, END, set())
    text = review.render(empty, datetime(2026, 11, 9, 8, 0))
    assert yaml.safe_load(text)["nlu"] == []


def knowledge_events() -> list:
    """Understood with confidence, but the knowledge base had no article, or had one."""
    return [
        action("k1", "action_session_start", at(2, 11)),
        user("k1", "le distributeur a gardé ma vitale", "lost_vitale_card", 0.92, at(2, 11, 1)),
        bot("k1", "Je n'ai pas de réponse.", at(2, 11, 1, 1), {"answer": None}),
        user("k1", "ma vitale est perdue", "lost_vitale_card", 0.93, at(2, 11, 2)),
        bot("k1", "Déclarez la perte...", at(2, 11, 2, 1), article_answer("lost_vitale_card")),
        # Misunderstood, and a choice of articles was offered.
        user("k1", "congé pour le bébé", "nlu_fallback", 0.5, at(2, 11, 3)),
        bot("k1", "Lequel ?", at(2, 11, 3, 1), {"clarify": ["maternity_leave", "paternity_leave"]}),
    ]


def test_messages_without_an_article_are_reviewed_whatever_the_confidence():
    events = knowledge_events()
    found = review.collect(conversations(events), START, END, set(), 0.7, by_message(turns(events)))
    assert [(c.text, dict(c.given)) for c in found.groups["lost_vitale_card"]] == [
        ("le distributeur a gardé ma vitale", {"aucun article": 1})
    ]  # « ma vitale est perdue » was answered with confidence: not exported
    (clarified,) = found.groups["out_of_scope"]
    assert dict(clarified.given) == {"choix entre maternity_leave, paternity_leave": 1}


def test_the_closest_articles_are_comments_beside_the_intents(tmp_path):
    knowledge = Knowledge.load(write_small_base(tmp_path / "knowledge"), with_vectors=False)
    events = knowledge_events()
    found = review.collect(conversations(events), START, END, set(), 0.7, by_message(turns(events)))
    review.suggest(found, knowledge)
    card = found.groups["lost_vitale_card"][0]
    assert len(card.suggestions) == review.SUGGESTIONS
    assert card.suggestions[0].id == "lost_vitale_card"
    assert card.suggestions[0].title == "Carte Vitale perdue ou volée"
    assert card.suggestions[0].score > card.suggestions[1].score

    text = review.render(found, datetime(2026, 11, 9, 8, 0))
    lines = text.splitlines()
    block = lines.index("- intent: lost_vitale_card")
    assert lines[block - 3] == "#   « le distributeur a gardé ma vitale »"
    assert lines[block - 2] == "#       donné : aucun article (1)"
    assert lines[block - 1].startswith(
        "#       articles proches : lost_vitale_card « Carte Vitale perdue ou volée » 0,"
    )
    # Still the NLU file the merge reads, plus an empty articles section to fill in.
    document = yaml.safe_load(text)
    assert document["nlu"][0] == {
        "intent": "lost_vitale_card",
        "examples": "- le distributeur a gardé ma vitale\n",
    }
    assert document["articles"] is None
    assert "- new_article: <id>" in text and "# - article: lost_vitale_card" in text
    assert {m.get("intent") for m in RasaYAMLReader().reads(text).intent_examples} == {
        "lost_vitale_card",
        "out_of_scope",
    }
