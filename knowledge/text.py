"""How a member's words are compared with an article's: case, accents, typos, abbreviations."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import List

import Stemmer

_NON_WORD = re.compile(r"[^a-z0-9]+")
_ELISION = re.compile(r"\b([cdjlmnst]|qu|jusqu|lorsqu|puisqu)'", re.IGNORECASE)

# Words that carry no subject. Kept short on purpose: « arrêt », « carte », « enfant » matter.
STOPWORDS = frozenset(
    """
    a ai aie ainsi alors as au aux avais avait avec avez avoir ayant bah bcp beaucoup bien
    bon bonjour bonsoir c ca car ce ceci cela celle celles celui ces cet cette chez ci
    comme comment concernant d dans de des desormais deja devrais dois doit donc dont du
    elle elles en encore es est et etais etait ete etes etre eu eux faire fait faut hello
    ici il ils j je jusqu l la le les leur leurs lui m ma madame mais me meme mes merci moi
    mon monsieur n ne ni nos notre nous on ont ou par parce pas peu peut peux plus pour
    pourquoi pouvez pouvoir puis puisque qu quand que quel quelle quelles quels qui quoi s
    sa salut sans se ses si sil sinon slt soit son sont sous suis sur svp t ta te tes toi
    ton tous tout toute toutes tres tu un une vais veux vos votre vous voudrais vouloir y
    est-ce svp stp merci
    """.split()
)

# How members abbreviate or misname things, in the form the text is compared in (accents off).
ABBREVIATIONS = {
    "ij": "indemnites journalieres",
    "ijss": "indemnites journalieres",
    "secu": "securite sociale",
    "ss": "securite sociale",
    "cmu": "c2s complementaire sante solidaire",
    "cmuc": "c2s complementaire sante solidaire",
    "acs": "c2s complementaire sante solidaire",
    "css": "c2s complementaire sante solidaire",
    "rdv": "rendez vous",
    "at": "accident travail",
    "mp": "maladie professionnelle",
    "tpt": "temps partiel therapeutique",
    "mtt": "mi temps therapeutique",
    "rib": "rib coordonnees bancaires",
    "mdp": "mot de passe",
    "dmp": "dossier medical partage",
    "ald": "ald affection longue duree",
    "ame": "ame aide medicale etat",
    "ceam": "ceam carte europeenne",
    "kine": "kinesitherapeute",
    "kinee": "kinesitherapeute",
    "ophtalmo": "ophtalmologue",
    "gyneco": "gynecologue",
    "gyne": "gynecologue",
    "dentiste": "dentiste dentaire",
    "psy": "psychologue",
    "generaliste": "medecin generaliste",
    "mutuel": "mutuelle",
    "vital": "vitale",
    # « c'est long ? » asks how long it takes
    "long": "long delai",
    "koi": "quoi",
    "pk": "pourquoi",
    "pq": "pourquoi",
    "tjs": "toujours",
    "qd": "quand",
}

_STEMMER = Stemmer.Stemmer("french")


def fold(text: str) -> str:
    """Lower case, no accents, elisions split (« l'arrêt » → « l arret »), one space."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'").replace("œ", "oe"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = _ELISION.sub(r"\1 ", text)
    return " ".join(_NON_WORD.split(text)).strip()


def words(text: str) -> List[str]:
    """The folded words, abbreviations spelt out."""
    out: List[str] = []
    for word in fold(text).split():
        out.extend(ABBREVIATIONS.get(word, word).split())
    return out


@lru_cache(maxsize=50_000)
def _stem(word: str) -> str:
    return _STEMMER.stemWord(word)


def terms(text: str) -> List[str]:
    """What the lexical search compares: stems of the words that carry meaning."""
    return [_stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1 or w.isdigit()]


def normalized(text: str) -> str:
    """The text the character n-grams are taken from: folded, abbreviations spelt out."""
    return " ".join(words(text))
