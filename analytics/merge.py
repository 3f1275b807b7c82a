"""`make merge REVIEW=review/<file>.yml`: the reviewed messages join the training examples.

    python -m analytics.merge review/revue_2026-11-18_2026-11-24.yml [--project DIR]

Each example of the reviewed file goes to the end of its intent's block in the
``data/nlu/<topic>.yml`` that already holds that intent; nothing else in the file changes. The
whole file is refused, with nothing written, when it names an intent that is not in domain.yml.
Examples that would duplicate a training example or a test message (tests/test_nlu.yml,
tests/test_stories.yml: they must stay unseen), or that appear twice in the file, are left
out and listed. Then ``rasa data validate --fail-on-warnings`` runs; if it fails, the files are
put back as they were.

``--project`` merges into another copy of the project (the round-trip test uses a temporary one).
"""

from __future__ import annotations

import argparse
import difflib
import re
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import yaml

from analytics.nlu_files import (
    ANNOTATION,
    load_intent_examples,
    normalise,
    test_messages,
    training_messages,
)

ROOT = Path(__file__).resolve().parent.parent


class MergeError(Exception):
    """The reviewed file cannot be merged as it is; nothing was written."""


@dataclass
class Refusal:
    text: str
    intent: str
    reason: str


@dataclass
class Plan:
    # data/nlu file -> intent -> example lines to append (as written in the review file)
    additions: Dict[Path, Dict[str, List[str]]] = field(default_factory=dict)
    refused: List[Refusal] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(
            len(lines) for by_intent in self.additions.values() for lines in by_intent.values()
        )


def read_review(path: Path) -> List[Tuple[str, str]]:
    """(intent, example) pairs of a reviewed file, in order; examples keep their annotations."""
    try:
        document = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        raise MergeError(f"{path} n'est pas un fichier YAML valide : {error}") from error
    items = document.get("nlu") or []
    if not isinstance(items, list):
        raise MergeError(f"{path} : « nlu: » doit être une liste de blocs « - intent: ».")
    pairs = []
    for item in items:
        if not isinstance(item, dict) or "intent" not in item:
            raise MergeError(
                f"{path} : seuls des blocs « - intent: » sont attendus, pas {item!r:.60}."
            )
        examples = item.get("examples") or ""
        if not isinstance(examples, str):
            raise MergeError(
                f"{path} : les exemples de « {item['intent']} » doivent être écrits "
                "« examples: | » suivi de lignes « - message »."
            )
        for line in examples.splitlines():
            line = line.strip()
            if line.startswith("- ") and line[2:].strip():
                pairs.append((str(item["intent"]), " ".join(line[2:].split())))
    return pairs


def domain_intents(root: Path) -> List[str]:
    domain = yaml.safe_load((root / "domain.yml").read_text()) or {}
    return [i if isinstance(i, str) else next(iter(i)) for i in domain.get("intents", [])]


def intent_files(root: Path) -> Dict[str, Path]:
    """intent -> the data/nlu file that holds its examples."""
    found: Dict[str, Path] = {}
    for path in sorted((root / "data" / "nlu").glob("*.yml")):
        for item in (yaml.safe_load(path.read_text()) or {}).get("nlu", []) or []:
            if isinstance(item, dict) and "intent" in item:
                found.setdefault(item["intent"], path)
    return found


def plan(pairs: Sequence[Tuple[str, str]], root: Path) -> Plan:
    declared, files = domain_intents(root), intent_files(root)
    unknown = sorted(
        {intent for intent, _ in pairs if intent not in declared or intent not in files}
    )
    if unknown:
        lines = []
        for intent in unknown:
            close = difflib.get_close_matches(intent, declared, n=2)
            hint = f" (vouliez-vous dire {' ou '.join(close)} ?)" if close else ""
            lines.append(f"  - {intent}{hint}")
        raise MergeError(
            "intentions inconnues de domain.yml, rien n'a été ajouté :\n"
            + "\n".join(lines)
            + "\nCorrigez leur nom dans le fichier de revue (les intentions sont listées dans "
            "domain.yml), ou ajoutez d'abord la nouvelle intention au domaine, à ses règles et "
            "à ses réponses."
        )
    trained, tests = training_messages(root), test_messages(root)
    result, seen = Plan(), {}
    for intent, example in pairs:
        key = normalise(ANNOTATION.sub(r"\1", example))
        if key in trained:
            reason = f"déjà un exemple d'entraînement : {trained[key]}"
        elif key in tests:
            reason = f"message de test ({tests[key]}) : il doit rester inédit pour l'évaluation"
        elif key in seen:
            reason = f"deux fois dans le fichier de revue (aussi sous {seen[key]})"
        else:
            seen[key] = intent
            result.additions.setdefault(files[intent], defaultdict(list))[intent].append(example)
            continue
        result.refused.append(Refusal(example, intent, reason))
    return result


_INTENT_LINE = r"^(?P<indent>\s*)- intent:\s*{}\s*$"
_EXAMPLES_LINE = re.compile(r"^(?P<indent>\s*)examples:\s*\|[-+]?\s*$")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def insert_examples(text: str, intent: str, examples: Sequence[str]) -> str:
    """``text`` (a data/nlu file) with ``examples`` appended to ``intent``'s block."""
    lines = text.splitlines(keepends=True)
    pattern = re.compile(_INTENT_LINE.format(re.escape(intent)))
    start = next((i for i, line in enumerate(lines) if pattern.match(line.rstrip("\n"))), None)
    if start is None:
        raise MergeError(f"aucun bloc « - intent: {intent} » trouvé")
    item_indent = _indent(lines[start])
    block = None
    for i in range(start + 1, len(lines)):
        stripped = lines[i].strip()
        if stripped and _indent(lines[i]) <= item_indent:
            break
        if _EXAMPLES_LINE.match(lines[i].rstrip("\n")):
            block = i
            break
    if block is None:
        raise MergeError(f"le bloc de « {intent} » n'a pas de « examples: | »")
    key_indent, last, example_indent = _indent(lines[block]), block, None
    for i in range(block + 1, len(lines)):
        if not lines[i].strip():
            continue
        if _indent(lines[i]) <= key_indent:
            break
        last = i
        if example_indent is None and lines[i].lstrip().startswith("- "):
            example_indent = _indent(lines[i])
    pad = " " * (example_indent if example_indent is not None else key_indent + 2)
    if not lines[last].endswith("\n"):
        lines[last] += "\n"
    lines[last + 1 : last + 1] = [f"{pad}- {example}\n" for example in examples]
    return "".join(lines)


def apply(result: Plan) -> Dict[Path, str]:
    """Writes the additions; returns each changed file's previous text (to put it back)."""
    before: Dict[Path, str] = {}
    for path, by_intent in result.additions.items():
        text = before.setdefault(path, path.read_text())
        for intent, examples in by_intent.items():
            text = insert_examples(text, intent, examples)
        path.write_text(text)
        # The file must still read as before, plus the new examples under the right intent.
        found = {i: {normalise(t) for t in ts} for i, ts in load_intent_examples([path]).items()}
        for intent, examples in by_intent.items():
            missing = [
                e for e in examples if normalise(ANNOTATION.sub(r"\1", e)) not in found[intent]
            ]
            if missing:
                restore(before)
                raise MergeError(f"{path.name} : {missing[0]!r} ne se relit pas sous {intent}")
    return before


def restore(before: Dict[Path, str]) -> None:
    for path, text in before.items():
        path.write_text(text)


def validate(root: Path) -> Tuple[bool, str]:
    rasa = Path(sys.executable).parent / "rasa"
    command = [
        str(rasa),
        "data",
        "validate",
        "--fail-on-warnings",
        "--config",
        "config.yml",
        "--domain",
        "domain.yml",
        "--data",
        "data",
    ]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True)
    return done.returncode == 0, done.stdout + done.stderr


def merge(review: Path, root: Path = ROOT, check: bool = True) -> Plan:
    """Merges ``review`` into the project at ``root``; raises MergeError when it cannot."""
    result = plan(read_review(review), root)
    before = apply(result)
    if check and before:
        ok, output = validate(root)
        if not ok:
            restore(before)
            tail = "\n".join(output.strip().splitlines()[-15:])
            raise MergeError(
                "rasa data validate a échoué ; les fichiers ont été remis comme avant.\n" + tail
            )
    return result


def report(result: Plan, root: Path) -> List[str]:
    lines = [f"merge: {result.count} exemples ajoutés."]
    for path, by_intent in sorted(result.additions.items()):
        for intent, examples in by_intent.items():
            lines.append(f"  {_relative(path, root)} : +{len(examples)} sous {intent}")
    if result.refused:
        lines.append(f"{len(result.refused)} exemples refusés :")
        lines += [f"  - « {r.text} » ({r.intent}) : {r.reason}" for r in result.refused]
    return lines


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Ajoute une revue corrigée aux données NLU.")
    parser.add_argument("review", type=Path, help="le fichier de revue corrigé (review/…yml)")
    parser.add_argument("--project", type=Path, default=ROOT, help="racine du projet")
    parser.add_argument("--no-validate", action="store_true", help="sans rasa data validate")
    args = parser.parse_args(argv)
    if not str(args.review).strip() or str(args.review) == ".":
        print(
            "merge: indiquez le fichier : make merge REVIEW=review/<fichier>.yml", file=sys.stderr
        )
        return 2
    if not args.review.is_file():
        print(f"merge: {args.review} n'existe pas (make review le crée).", file=sys.stderr)
        return 2
    try:
        result = merge(args.review, args.project.resolve(), check=not args.no_validate)
    except MergeError as error:
        print(f"merge: {error}", file=sys.stderr)
        return 2
    print("\n".join(report(result, args.project.resolve())))
    if result.count:
        checked = "" if args.no_validate else "Données validées (rasa data validate). "
        print(f"{checked}Ensuite : make train, make test, puis commit.")
    else:
        print("Rien à ajouter.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
