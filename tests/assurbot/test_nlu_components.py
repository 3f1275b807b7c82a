import pytest
from rasa.shared.nlu.training_data.message import Message

from assurbot.nlu import DistressGuard, is_distress
from tests.nlu_data import ROOT, load_intent_examples, training_files

IN_DANGER = [
    "je veux mourir",
    "j'ai envie d'en finir",
    "je vais me suicider ce soir",
    "J'AI DES IDÉES NOIRES depuis mon licenciement",
    "je n'ai plus envie de vivre",
    "mon mari fait un malaise il ne respire plus",
    "douleur dans la poitrine depuis une heure",
    "mon conjoint me frappe",
    "je n'ai plus d'argent pour mes médicaments et je veux en finir avec la vie",
    "je pense à me pendre",
]
NOT_IN_DANGER = [
    "je veux me plaindre",
    "je veux en finir avec ce dossier d'arrêt maladie",
    "mourir de rire avec vos délais",
    "comment déclarer la mort d'un proche",
    "mes remboursements de kiné du mois dernier",
    "je n'en peux plus d'attendre mon remboursement",
]


@pytest.mark.parametrize("text", IN_DANGER)
def test_words_of_someone_in_danger_are_recognised(text):
    assert is_distress(text)


@pytest.mark.parametrize("text", NOT_IN_DANGER)
def test_look_alike_insurance_sentences_are_not(text):
    assert not is_distress(text)


def test_the_guard_overrides_any_other_reading():
    message = Message.build(text="remboursement psy, j'ai des idées suicidaires")
    message.set("intent", {"name": "check_reimbursement_status", "confidence": 0.9})
    message.set(
        "intent_ranking",
        [
            {"name": "check_reimbursement_status", "confidence": 0.9},
            {"name": "distress", "confidence": 0.05},
        ],
    )
    [out] = DistressGuard().process([message])
    assert out.get("intent") == {"name": "distress", "confidence": 1.0}
    assert [r["name"] for r in out.get("intent_ranking")] == [
        "distress",
        "check_reimbursement_status",
    ]


def test_no_training_example_of_another_intent_trips_the_guard():
    """The guard must never steal an ordinary question from its topic."""
    training = load_intent_examples(training_files())
    stolen = [
        (intent, text)
        for intent, texts in training.items()
        if intent != "distress"
        for text in texts
        if is_distress(text)
    ]
    assert not stolen, stolen


def test_held_out_distress_messages_are_all_caught_or_left_to_the_model():
    """Reported, not gated: how many held-out cries for help the guard alone catches."""
    held_out = load_intent_examples([ROOT / "tests" / "test_nlu.yml"])
    assert any(is_distress(t) for t in held_out["distress"])
