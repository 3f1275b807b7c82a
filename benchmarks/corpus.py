"""The benchmark's conversations, made from the held-out test data (tests/test_nlu.yml).

A conversation is about two messages, of one of three kinds, in the proportions below:

- ``faq``: an anonymous visitor asks a general question (carte Vitale, arrêt de travail...)
  and often a second one or a thank-you;
- ``personal``: a logged-in member (a synthetic persona with a signed token) asks about their
  own file — these go through the action server to the member-information system;
- ``misunderstood``: out-of-scope questions and noise, answered by the fallback or the
  out-of-scope answer.

Texts are the 496 held-out messages plus variants a member would type (a greeting before, a
"merci" or "svp" after, no final punctuation): at least 1,000 distinct messages, drawn
uniformly, so a text comes back far less often than on the real service, where a few dozen
phrasings make most of the traffic. That makes the parse cache's job harder, not easier.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from tests.nlu_data import ROOT, load_intent_examples

PERSONAL_INTENTS = (
    "check_reimbursement_status",
    "check_daily_allowance",
    "request_rights_certificate",
    "check_vitale_card",
    "check_gp_declaration",
    "check_c2s_application",
    "check_ald_status",
)
MISUNDERSTOOD_INTENTS = ("out_of_scope", "nlu_fallback")
DIALOGUE_INTENTS = ("greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "help")
# Not in the load mix: each would open an adviser ticket or an alert, not a FAQ answer.
NOT_LOADED = ("ask_human", "insult", "distress", "complaint")
NOISE = ("azertyuiop", "???", "ok ok", "blabla", "qsdfghjklm", "👍", "hein", "test test")
PREFIXES = ("", "Bonjour, ", "bonjour ", "Excusez-moi, ")
SUFFIXES = ("", " svp", " merci", " s'il vous plaît")
FOLLOW_UPS = ("merci", "Merci beaucoup", "d'accord merci", "ok merci", "au revoir")
# Personas whose file answers each personal question (member_system/personas.py).
PERSONAS = (
    "P-CLAIRE-REMB",
    "P-KARIM-IJ",
    "P-JULIE-MATERNITE",
    "P-NADIA-C2S",
    "P-THOMAS-C2S-ATTENTE",
    "P-MICHEL-ALD",
    "P-LEA-SANS-MT",
    "P-SOPHIE-FAMILLE",
    "P-ANTOINE-VITALE",
)
MIX = {"faq": 0.55, "personal": 0.30, "misunderstood": 0.15}


@dataclass(frozen=True)
class Conversation:
    kind: str
    messages: Tuple[str, ...]
    persona: Optional[str] = None


def variants(text: str) -> List[str]:
    base = text.strip()
    bare = base.rstrip(" ?!.")
    out = {base, bare}
    for prefix in PREFIXES[1:]:
        out.add(prefix + base[:1].lower() + base[1:])
    for suffix in SUFFIXES[1:]:
        out.add(bare + suffix)
    return sorted(out)


def pools() -> Dict[str, List[str]]:
    examples = load_intent_examples([ROOT / "tests" / "test_nlu.yml"])
    personal, faq, misunderstood = [], [], list(NOISE)
    for intent, texts in examples.items():
        if intent in PERSONAL_INTENTS:
            personal += texts
        elif intent in MISUNDERSTOOD_INTENTS:
            misunderstood += texts
        elif intent not in DIALOGUE_INTENTS and intent not in NOT_LOADED:
            faq += texts
    expand = lambda texts: sorted({v for t in texts for v in variants(t)})  # noqa: E731
    return {
        "faq": expand(faq),
        "personal": expand(personal),
        "misunderstood": sorted(set(misunderstood)),
    }


class Corpus:
    def __init__(self, seed: int = 2024) -> None:
        self.pools = pools()
        self.random = random.Random(seed)

    def distinct_messages(self) -> int:
        return len({t for texts in self.pools.values() for t in texts} | set(FOLLOW_UPS))

    def conversation(self) -> Conversation:
        r = self.random
        kind = r.choices(list(MIX), weights=list(MIX.values()))[0]
        first = r.choice(self.pools[kind])
        if kind == "faq":
            second = r.choice(self.pools["faq"] if r.random() < 0.5 else FOLLOW_UPS)
        elif kind == "personal":
            second = r.choice(self.pools["personal"] if r.random() < 0.5 else FOLLOW_UPS)
        else:
            second = r.choice(self.pools["faq"])  # rephrased after a misunderstanding
        persona = r.choice(PERSONAS) if kind == "personal" else None
        return Conversation(kind, (first, second), persona)


if __name__ == "__main__":
    corpus = Corpus()
    print({k: len(v) for k, v in corpus.pools.items()}, corpus.distinct_messages())
