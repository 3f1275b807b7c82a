"""Personal data is found by its checks (key, mod 97, Luhn), not by its look alone."""

import pytest

from assurbot.personal_data import find_personal_data, mask


def nir(body: str) -> str:
    """A NIR with its right key (Corsica's 2A/2B counted as the rule says)."""
    digits = body.replace(" ", "")
    number = int(digits.replace("2A", "19").replace("2B", "18"))
    if "2A" in digits:
        number -= 1_000_000
    if "2B" in digits:
        number -= 2_000_000
    return f"{body} {97 - number % 97:02d}"


@pytest.mark.parametrize(
    "text, kind",
    [
        (f"mon numéro de sécu est {nir('1 85 05 78 006 084')}", "nir"),
        (f"nir {nir('2900575123456').replace(' ', '')}", "nir"),
        (f"corse {nir('2 90 12 2A 123 456')}", "nir"),
        ("mon rib FR76 3000 6000 0112 3456 7890 189", "iban"),
        ("iban FR7630006000011234567890189 merci", "iban"),
        ("ma carte 4111 1111 1111 1111", "card"),
        ("carte 5555-5555-5555-4444", "card"),
        ("rappelez-moi au 06 12 34 56 78", "phone"),
        ("ou au +33 6 12 34 56 78", "phone"),
        ("mon mail jean.dupont@example.fr", "email"),
    ],
)
def test_personal_data_is_masked(text, kind):
    masked, kinds = mask(text)
    assert kinds == [kind]
    assert "masqu" in masked
    assert not any(ch.isdigit() for ch in masked.split("[")[-1].split("]")[0])


@pytest.mark.parametrize(
    "text",
    [
        f"nir {nir('1 85 05 78 006 084')[:-2]}00",  # wrong key
        "FR76 3000 6000 0112 3456 7890 188",  # wrong check digits
        "carte 4111 1111 1111 1112",  # fails Luhn
        "remboursement de 1234,56 euros le 12/03/2026",
        "appelez le 3646 ou le 15",
        "mon dossier 123456789012",
        "la référence R-000005 du 21/11",
        "",
    ],
)
def test_look_alikes_are_left_alone(text):
    assert mask(text) == (text, [])


def test_several_kinds_in_one_message_keep_the_question_readable():
    text = f"je suis {nir('1 85 05 78 006 084')}, où en est mon remboursement ? 06 12 34 56 78"
    masked, kinds = mask(text)
    assert kinds == ["nir", "phone"]
    assert masked.startswith("je suis [numéro de sécurité sociale masqué], où en est mon")
    assert [f.kind for f in find_personal_data(text)] == ["nir", "phone"]
