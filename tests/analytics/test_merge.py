"""`make merge`: reviewed examples join the right data/nlu file; unknown intents and duplicates
are refused. Always on a copy of the project, never the real data/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from analytics import merge
from analytics.nlu_files import load_intent_examples
from evaluation import real_questions
from knowledge.decide import ANSWER
from knowledge.service import Knowledge
from tests.knowledge.conftest import SOURCE
from tests.nlu_data import ROOT


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    (copy / "tests").mkdir(parents=True)
    for name in ("config.yml", "domain.yml"):
        shutil.copy(ROOT / name, copy / name)
    shutil.copytree(ROOT / "data", copy / "data")
    for name in ("test_nlu.yml", "test_stories.yml"):
        shutil.copy(ROOT / "tests" / name, copy / "tests" / name)
    return copy


def write_review(path: Path, blocks: dict) -> Path:
    lines = ['version: "3.1"', "nlu:"]
    for intent, examples in blocks.items():
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {e}" for e in examples]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_examples_go_to_the_end_of_their_intent_block_and_nothing_else_moves(project, tmp_path):
    before = {p.name: p.read_text() for p in (project / "data" / "nlu").glob("*.yml")}
    reviewed = write_review(
        tmp_path / "r.yml",
        {
            "lost_vitale_card": ["ma carte a été avalée par la borne de la pharmacie"],
            "waiting_period": ["la carence ça compte quand on enchaîne deux arrêts ?"],
            "check_reimbursement_status": [
                'et le [dermato]{"entity": "care_type", "value": "dermatologue"} ?'
            ],
        },
    )
    result = merge.merge(reviewed, project, check=False)
    assert result.count == 3 and not result.refused

    after = {p.name: p.read_text() for p in (project / "data" / "nlu").glob("*.yml")}
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {"vitale_card.yml", "daily_allowance.yml", "reimbursement.yml"}
    for name in changed:
        old, new = before[name].splitlines(), after[name].splitlines()
        added = [line for line in new if line not in old]
        assert len(new) == len(old) + 1 and len(added) == 1
        assert [line for line in new if line != added[0]] == old  # nothing else moved
    daily = after["daily_allowance.yml"].splitlines()
    line = next(i for i, text in enumerate(daily) if "enchaîne deux arrêts" in text)
    assert daily[line].startswith("      - ")  # this file's own indentation kept
    examples = load_intent_examples([project / "data" / "nlu" / "vitale_card.yml"])
    assert examples["lost_vitale_card"][-1] == "ma carte a été avalée par la borne de la pharmacie"
    examples = load_intent_examples([project / "data" / "nlu" / "reimbursement.yml"])
    assert examples["check_reimbursement_status"][-1] == "et le dermato ?"


def test_an_unknown_intent_refuses_the_whole_file(project, tmp_path):
    before = {p: p.read_text() for p in (project / "data" / "nlu").glob("*.yml")}
    reviewed = write_review(
        tmp_path / "r.yml",
        {
            "lost_vitale_card": ["ma carte a été avalée par la borne"],
            "lost_vital_card": ["on m'a piqué ma vitale dans le bus"],
            "faire_le_cafe": ["un café svp"],
        },
    )
    with pytest.raises(merge.MergeError) as refused:
        merge.merge(reviewed, project, check=False)
    message = str(refused.value)
    assert "lost_vital_card" in message and "faire_le_cafe" in message
    assert "vouliez-vous dire lost_vitale_card" in message
    assert {p: p.read_text() for p in before} == before


def test_duplicates_of_training_test_sets_or_the_file_itself_are_refused(project, tmp_path):
    reviewed = write_review(
        tmp_path / "r.yml",
        {
            "check_reimbursement_status": [
                "OU EN EST MON REMBOURSEMENT",  # a training example, case and accents aside
                "bonjour Assurbot",  # a held-out message (tests/test_nlu.yml)
                "tu peux m'aider sur quoi ?",  # a test-story message (tests/test_stories.yml)
                "mon kiné de mardi est-il passé ?",
            ],
            "estimate_care_cost": ["Mon kiné de mardi, est-il passé"],  # twice in the file
        },
    )
    result = merge.merge(reviewed, project, check=False)
    assert result.count == 1
    reasons = {r.text: r.reason for r in result.refused}
    assert "data/nlu/reimbursement.yml" in reasons["OU EN EST MON REMBOURSEMENT"]
    assert "tests/test_nlu.yml" in reasons["bonjour Assurbot"]
    assert "tests/test_stories.yml" in reasons["tu peux m'aider sur quoi ?"]
    assert "deux fois" in reasons["Mon kiné de mardi, est-il passé"]


def test_a_failed_validation_puts_the_files_back(project, tmp_path, monkeypatch):
    before = {p: p.read_text() for p in (project / "data" / "nlu").glob("*.yml")}
    monkeypatch.setattr(merge, "validate", lambda root: (False, "UserWarning: broken"))
    reviewed = write_review(tmp_path / "r.yml", {"declare_gp": ["mon docteur part en retraite"]})
    with pytest.raises(merge.MergeError, match="remis comme avant"):
        merge.merge(reviewed, project)
    assert {p: p.read_text() for p in before} == before


def test_the_command(project, tmp_path, capsys):
    good = write_review(tmp_path / "ok.yml", {"declare_gp": ["mon docteur part en retraite"]})
    assert merge.main([str(good), "--project", str(project), "--no-validate"]) == 0
    assert "data/nlu/gp.yml : +1 sous declare_gp" in capsys.readouterr().out
    bad = write_review(tmp_path / "bad.yml", {"nope": ["x y z"]})
    assert merge.main([str(bad), "--project", str(project), "--no-validate"]) == 2
    assert "intentions inconnues" in capsys.readouterr().err
    assert merge.main([str(tmp_path / "missing.yml"), "--project", str(project)]) == 2


def test_a_file_that_is_not_a_review_is_refused(tmp_path, project):
    odd = tmp_path / "odd.yml"
    odd.write_text('version: "3.1"\nnlu:\n- synonym: cmu\n  examples: |\n    - css\n')
    with pytest.raises(merge.MergeError, match="intent"):
        merge.merge(odd, project, check=False)


# --- the knowledge base: the « articles: » section ------------------------------------------
def write_article_review(path: Path, blocks: list, nlu: dict | None = None) -> Path:
    """A reviewed file whose ``articles:`` section holds ``blocks`` (dicts, as the team writes)."""
    write_review(path, nlu or {})
    lines = ["articles:"]
    for block in blocks:
        first, *rest = [(k, v) for k, v in block.items() if k != "questions"]
        lines.append(f"- {first[0]}: {first[1]}")
        lines += [f'  {k}: "{v}"' if k == "title" else f"  {k}: {v}" for k, v in rest]
        lines += ["  questions: |", *(f"    - {q}" for q in block["questions"])]
    path.write_text(
        path.read_text().replace("nlu:\n", "nlu: []\n") if not nlu else path.read_text()
    )
    path.write_text(path.read_text() + "\n".join(lines) + "\n")
    return path


def knowledge_files(project: Path) -> dict:
    return {p: p.read_text() for p in (project / "data" / "knowledge").glob("*/*.yml")}


def test_a_message_joins_the_questions_of_its_article_and_nothing_else_moves(project, tmp_path):
    before = knowledge_files(project)
    reviewed = write_article_review(
        tmp_path / "r.yml",
        [
            {
                "article": "lost_vitale_card",
                "questions": ["le distributeur de la pharmacie a avalé ma vitale"],
            },
            {"article": "add_child", "questions": ["mon gamin est né hier je le rajoute où"]},
        ],
    )
    result = merge.merge(reviewed, project, check=False)
    assert result.question_count == 2 and not result.refused and result.count == 0

    after = knowledge_files(project)
    changed = {p.stem for p in after if after[p] != before[p]}
    assert changed == {"lost_vitale_card", "add_child"}
    for path in (p for p in after if p.stem in changed):
        old, new = before[path].splitlines(), after[path].splitlines()
        added = [line for line in new if line not in old]
        assert len(new) == len(old) + 1 and len(added) == 1
        assert [line for line in new if line != added[0]] == old  # comments, folds, all kept
        data = yaml.safe_load(after[path])
        assert data["questions"][:-1] == yaml.safe_load(before[path])["questions"]
    card = (project / "data" / "knowledge" / "vitale_card" / "lost_vitale_card.yml").read_text()
    assert card.startswith("# Migrated from")
    assert '- "le distributeur de la pharmacie a avalé ma vitale"\nanswer: |-' in card


def test_a_question_goes_after_a_long_one_folded_over_two_lines():
    # As PyYAML writes a long question; ruamel.yaml's own dump would unfold it.
    text = (
        "# A comment the editor wrote.\n"
        "id: x\n"
        "questions:\n"
        "  - 'court'\n"
        '  - "Bonjour, ma demande de remboursement a été refusée sans explication, comment\\\n'
        '    \\ puis-je contester ?"\n'
        "answer: |-\n"
        "  Réponse.\n"
    )
    added = merge.insert_question(text, "l'appel d'un \"conseiller\"")
    assert added == text.replace(
        'contester ?"\n', 'contester ?"\n  - "l\'appel d\'un \\"conseiller\\""\n'
    )
    assert yaml.safe_load(added)["questions"][-1] == "l'appel d'un \"conseiller\""
    single = text.replace('  - "Bonjour', "  - 'Bonjour").replace('contester ?"', "contester ?'")
    single = single.replace("\\\n    \\ puis", "\n    puis")
    assert "  - 'l''appel d''un \"conseiller\"'\n" in merge.insert_question(
        single, "l'appel d'un \"conseiller\""
    )


def test_an_unknown_article_refuses_the_whole_file(project, tmp_path):
    before = (
        knowledge_files(project),
        {p: p.read_text() for p in (project / "data" / "nlu").glob("*.yml")},
    )
    reviewed = write_article_review(
        tmp_path / "r.yml",
        [
            {"article": "lost_vitale_card", "questions": ["ma vitale est restée dans la borne"]},
            {"article": "lost_vital_card", "questions": ["on m'a piqué ma vitale"]},
        ],
        {"declare_gp": ["mon docteur part en retraite"]},
    )
    with pytest.raises(merge.MergeError) as refused:
        merge.merge(reviewed, project, check=False)
    assert "articles inconnus" in str(refused.value)
    assert "lost_vital_card (vouliez-vous dire lost_vitale_card" in str(refused.value)
    assert (
        knowledge_files(project),
        {p: p.read_text() for p in (project / "data" / "nlu").glob("*.yml")},
    ) == before


def test_existing_questions_real_questions_and_repeats_are_refused(project, tmp_path):
    real = real_questions.load()[0].text
    reviewed = write_article_review(
        tmp_path / "r.yml",
        [
            {
                "article": "lost_vitale_card",
                "questions": [
                    "REFAIRE CARTE VITALE !",  # a question of this article, case aside
                    "mon enfant est rattache au papa je veux le mettre aussi chez moi",  # add_child
                    real,  # in the real-question evaluation set
                    "la borne a gardé ma carte vitale",
                ],
            },
            {"article": "vitale_update_where", "questions": ["La borne a gardé ma carte Vitale."]},
        ],
    )
    result = merge.merge(reviewed, project, check=False)
    assert result.question_count == 1
    reasons = {r.text: r.reason for r in result.refused}
    assert reasons["REFAIRE CARTE VITALE !"] == "déjà une question de l'article lost_vitale_card"
    assert (
        "add_child" in reasons["mon enfant est rattache au papa je veux le mettre aussi chez moi"]
    )
    assert "jeu d'évaluation réel" in reasons[real]
    assert "deux fois" in reasons["La borne a gardé ma carte Vitale."]


def test_a_new_problem_of_the_knowledge_check_puts_every_file_back(project, tmp_path, monkeypatch):
    before = knowledge_files(project)
    checks = iter([["an old problem (0.81)"], ["an old problem (0.83)", "a new problem"]])
    monkeypatch.setattr(merge, "knowledge_problems", lambda directory: next(checks))
    reviewed = write_article_review(
        tmp_path / "r.yml",
        [{"article": "add_child", "questions": ["mon gamin est né hier je le rajoute où"]}],
    )
    with pytest.raises(merge.MergeError, match="remis comme avant") as refused:
        merge.merge(reviewed, project)
    assert "a new problem" in str(refused.value) and "old problem" not in str(refused.value)
    assert knowledge_files(project) == before


NEW_ARTICLE = {
    "new_article": "carte_vitale_avalee_borne",
    "topic": "vitale_card",
    "title": "Carte Vitale gardée par une borne",
    "catalogue_key": "lost_vitale_card",
    "questions": ["la borne de la pharmacie a gardé ma carte verte"],
}


def test_a_new_article_becomes_a_draft_outside_the_base(project, tmp_path, capsys):
    before = knowledge_files(project)
    reviewed = write_article_review(tmp_path / "r.yml", [NEW_ARTICLE])
    assert merge.main([str(reviewed), "--project", str(project), "--no-validate"]) == 0
    printed = capsys.readouterr().out
    draft = project / "review" / "drafts" / "carte_vitale_avalee_borne.yml"
    assert "Brouillon du nouvel article carte_vitale_avalee_borne" in printed
    assert "sources avec leurs citations (quotes)" in printed
    assert "make merge REVIEW=review/drafts/carte_vitale_avalee_borne.yml" in printed
    assert knowledge_files(project) == before  # nothing in data/knowledge/ yet
    data = yaml.safe_load(draft.read_text())
    assert data["questions"] == ["la borne de la pharmacie a gardé ma carte verte"]
    assert (data["topic"], data["sources"], data["answer"]) == ("vitale_card", [], "")
    assert draft.read_text().startswith("# Brouillon d'article écrit par make merge")

    # A later review adds to the same draft.
    again = dict(NEW_ARTICLE, questions=["la machine a avalé ma carte vitale"])
    merge.merge(write_article_review(tmp_path / "r2.yml", [again]), project, check=False)
    assert yaml.safe_load(draft.read_text())["questions"] == [
        "la borne de la pharmacie a gardé ma carte verte",
        "la machine a avalé ma carte vitale",
    ]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"new_article": "lost_vitale_card"}, "existe déjà"),
        ({"topic": "vitale_cards"}, "vouliez-vous dire vitale_card"),
        ({"catalogue_key": "carte_avalee"}, "n'est pas une clé"),
        ({"new_article": "Carte-Avalée"}, "snake_case"),
    ],
)
def test_a_new_article_that_cannot_be_is_refused(project, tmp_path, change, message):
    reviewed = write_article_review(tmp_path / "r.yml", [dict(NEW_ARTICLE, **change)])
    with pytest.raises(merge.MergeError, match=message):
        merge.merge(reviewed, project, check=False)
    assert not (project / "review").exists()


def complete(draft: Path) -> None:
    """What the editor writes into a draft."""
    data = yaml.safe_load(draft.read_text())
    data["questions"] += [
        "la machine de la pharmacie ne m'a pas rendu ma carte vitale",
        "carte vitale coincée dans le lecteur",
        "borne ameli carte vitale avalée que faire",
        "ma carte est restée bloquée dans la borne de mise à jour",
        "la borne a mangé ma carte verte",
        "carte vitale retenue par la borne",
        "récupérer sa carte vitale bloquée dans une borne",
    ]
    data["answer"] = "Signalez-le à l'accueil de votre caisse : elle récupère la carte."
    data["link"] = SOURCE
    data["sources"] = [{"url": SOURCE, "quotes": ["Adressez-vous à votre caisse."]}]
    data["checked"] = "2026-11-20"
    header = "".join(line for line in draft.read_text().splitlines(True) if line.startswith("#"))
    draft.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def test_a_completed_draft_moves_into_the_base_and_is_answered(project, tmp_path, capsys):
    reviewed = write_article_review(tmp_path / "r.yml", [NEW_ARTICLE])
    merge.merge(reviewed, project, check=False)
    draft = project / "review" / "drafts" / "carte_vitale_avalee_borne.yml"

    # Without sources, nothing moves: the editor is told what is missing.
    assert merge.main([str(draft), "--project", str(project)]) == 2
    refused = capsys.readouterr().err
    assert "n'est pas complet" in refused and "sources : au moins une page officielle" in refused
    assert "questions : 1, il en faut au moins 8" in refused and "answer : la réponse" in refused
    complete(draft)
    text = draft.read_text()
    no_quotes = yaml.safe_load(text)
    no_quotes["sources"][0]["quotes"] = []
    draft.write_text(yaml.safe_dump(no_quotes, allow_unicode=True, sort_keys=False))
    assert merge.main([str(draft), "--project", str(project), "--no-validate"]) == 2
    assert "n'a pas de citation (quotes)" in capsys.readouterr().err
    draft.write_text(text)

    assert merge.main([str(draft), "--project", str(project)]) == 0  # with the base's check
    assert "redémarrez-le" in capsys.readouterr().out
    moved = project / "data" / "knowledge" / "vitale_card" / "carte_vitale_avalee_borne.yml"
    assert not draft.exists() and not moved.read_text().startswith("#")
    assert "topic" not in yaml.safe_load(moved.read_text())
    knowledge = Knowledge.load(project / "data" / "knowledge", with_vectors=False)
    outcome = knowledge.respond("la borne de la pharmacie a gardé ma carte verte")
    assert outcome.kind == ANSWER and outcome.article.id == "carte_vitale_avalee_borne"
