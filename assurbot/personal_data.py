"""Personal data members should not type into a chat, found and masked before anything keeps it.

Each detector checks what a look-alike number would fail: a social-security number (NIR) its
key, an IBAN its mod-97 check, a card number its Luhn digit. Phone numbers and e-mail
addresses are matched by their form. What is found is replaced by a label such as
« [numéro de sécurité sociale masqué] », so the sentence still reads and the model still
understands the question.
"""

from __future__ import annotations

import re
from typing import Callable, List, NamedTuple, Tuple

LABELS = {
    "nir": "[numéro de sécurité sociale masqué]",
    "iban": "[IBAN masqué]",
    "card": "[numéro de carte bancaire masqué]",
    "phone": "[numéro de téléphone masqué]",
    "email": "[adresse e-mail masquée]",
}

WARNING = (
    "Pour votre sécurité, n'envoyez jamais dans ce chat votre numéro de sécurité sociale, vos "
    "coordonnées bancaires, votre numéro de carte, votre téléphone ou votre adresse e-mail : "
    "je n'en ai pas besoin pour vous répondre, et je les ai effacés de votre message."
)


class Finding(NamedTuple):
    kind: str
    start: int
    end: int


def _digits(text: str) -> str:
    return re.sub(r"[\s.\-]", "", text)


def _nir_is_valid(raw: str) -> bool:
    value = _digits(raw).upper()
    if len(value) != 15:
        return False
    body, key = value[:13], value[13:]
    body = body.replace("2A", "19").replace("2B", "18")
    if not body.isdigit() or not key.isdigit():
        return False
    if value[5:7] == "2A":
        number = int(body) - 1_000_000
    elif value[5:7] == "2B":
        number = int(body) - 2_000_000
    else:
        number = int(body)
    return 97 - number % 97 == int(key)


def _iban_is_valid(raw: str) -> bool:
    value = re.sub(r"\s", "", raw).upper()
    if not 15 <= len(value) <= 34:
        return False
    rearranged = value[4:] + value[:4]
    digits = "".join(str(int(c, 36)) for c in rearranged)
    return int(digits) % 97 == 1


def _luhn_is_valid(raw: str) -> bool:
    value = _digits(raw)
    if not value.isdigit() or not 13 <= len(value) <= 19:
        return False
    total = 0
    for i, char in enumerate(reversed(value)):
        n = int(char)
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


_SEP = r"[\s.\-]?"
PATTERNS: List[Tuple[str, re.Pattern, Callable[[str], bool]]] = [
    # sex, year, month, department (2A/2B for Corsica), commune, order, key
    (
        "nir",
        re.compile(
            rf"\b[12]{_SEP}\d{{2}}{_SEP}(?:0[1-9]|1[0-2]|[2-9]\d){_SEP}(?:\d{{2}}|2[AaBb])"
            rf"{_SEP}\d{{3}}{_SEP}\d{{3}}{_SEP}\d{{2}}\b"
        ),
        _nir_is_valid,
    ),
    (
        "iban",
        re.compile(r"\b[A-Za-z]{2}\d{2}(?:\s?[A-Za-z0-9]{4}){2,7}(?:\s?[A-Za-z0-9]{1,4})?\b"),
        _iban_is_valid,
    ),
    ("card", re.compile(r"\b\d(?:[\s\-]?\d){12,18}\b"), _luhn_is_valid),
    (
        "phone",
        re.compile(r"(?:(?<![\w+])(?:\+|00)33\s?[1-9]|\b0[1-9])(?:[\s.\-]?\d{2}){4}\b"),
        lambda _: True,
    ),
    ("email", re.compile(r"\b[\w.%+\-]+@[\w\-]+(?:\.[\w\-]+)+\b"), lambda _: True),
]


def find_personal_data(text: str) -> List[Finding]:
    """What should be masked in `text`, without overlaps (earlier detectors win)."""
    findings: List[Finding] = []
    for kind, pattern, is_valid in PATTERNS:
        for match in pattern.finditer(text or ""):
            if any(f.start < match.end() and match.start() < f.end for f in findings):
                continue
            if is_valid(match.group()):
                findings.append(Finding(kind, match.start(), match.end()))
    return sorted(findings, key=lambda f: f.start)


def mask(text: str) -> Tuple[str, List[str]]:
    """`text` with its personal data replaced by labels, and the kinds found."""
    findings = find_personal_data(text)
    if not findings:
        return text, []
    parts, last = [], 0
    for finding in findings:
        parts.append(text[last : finding.start])
        parts.append(LABELS[finding.kind])
        last = finding.end
    parts.append(text[last:])
    return "".join(parts), [f.kind for f in findings]
