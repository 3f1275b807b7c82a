import datetime as dt

from knowledge.check import check
from tests.knowledge.conftest import write_article

TODAY = dt.date(2026, 12, 2)


def test_a_clean_base_passes(knowledge_dir):
    assert check(knowledge_dir, TODAY) == ([], [])


def test_the_same_question_in_two_articles_is_a_problem(tmp_path):
    shared = [f"question commune {n}" for n in range(8)]
    write_article(tmp_path, "t", "first", questions=shared)
    write_article(tmp_path, "t", "second", questions=[q.upper() for q in shared])
    problems, _ = check(tmp_path, TODAY)
    assert any("is also in first" in p for p in problems)
    assert any("ask the same questions" in p for p in problems)


def test_near_identical_questions_in_two_articles_are_a_problem(tmp_path):
    write_article(
        tmp_path,
        "t",
        "a",
        questions=[f"calcul des indemnités journalières maladie {n}" for n in "abcdefgh"],
    )
    write_article(
        tmp_path,
        "t",
        "b",
        questions=["calcul des indemnités journalières de maladie a"]
        + [f"autre sujet sans rapport numéro {n}" for n in range(7)],
    )
    problems, _ = check(tmp_path, TODAY)
    assert any(p.startswith("near-duplicate questions") for p in problems)


def test_editorial_rules_are_checked(tmp_path):
    write_article(
        tmp_path,
        "t",
        "bad",
        catalogue_key="no_such_key",
        follow_up="lost_vitale_card",
        answer="Tu dois envoyer ton arrêt. " + "mot " * 130,
        checked="2027-01-01",
        valid_from="2026-06-01",
        valid_until="2026-01-01",
    )
    problems, notices = check(tmp_path, TODAY)
    text = "\n".join(problems)
    assert "catalogue_key 'no_such_key' is not in the catalogue" in text
    assert "follow_up 'lost_vitale_card' is not a personal catalogue key" in text
    assert "words (at most 130)" in text
    assert "« tu »" in text
    assert "is in the future" in text
    assert "valid_from is after valid_until" in text
    assert notices == ["%s: expired on 2026-01-01, no longer shown" % (tmp_path / "t" / "bad.yml")]


def test_the_knowledge_base_of_the_repository_passes_the_check():
    problems, _ = check(today=dt.date.today())
    assert problems == [], "\n".join(problems[:40])
