"""`make merge`: reviewed examples join the right data/nlu file; unknown intents and duplicates
are refused. Always on a copy of the project, never the real data/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analytics import merge
from analytics.nlu_files import load_intent_examples
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
