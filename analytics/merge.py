"""`make merge REVIEW=review/<file>.yml`: the reviewed messages join the training examples.

    python -m analytics.merge review/revue_2026-11-18_2026-11-24.yml [--project DIR]

Each example of the reviewed file goes to the end of its intent's block in the
``data/nlu/<topic>.yml`` that already holds that intent; nothing else in the file changes. The
whole file is refused, with nothing written, when it names an intent that is not in domain.yml.
Examples that would duplicate a training example or a test message (tests/test_nlu.yml,
tests/test_stories.yml: they must stay unseen), or that appear twice in the file, are left
out and listed. Then ``rasa data validate --fail-on-warnings`` runs; if it fails, the files are
put back as they were.

The ``articles:`` section of the reviewed file (analytics/review.py writes it) feeds the
knowledge base instead:

- ``- article: <id>`` with ``questions: |``: each message becomes a question variant of that
  article, appended to the ``questions:`` of ``data/knowledge/<topic>/<id>.yml``; the rest of
  the file, comments included, is left as it was. The whole file is refused when it names an
  article that does not exist. A message that is already a question of an article (case,
  accents and punctuation aside: knowledge/text.py), that is in the real-question evaluation
  set (evaluation/real_questions/raw/: it must stay unseen), or that appears twice is left out
  and listed. Then the knowledge base is checked (``python -m knowledge.check``); a problem the
  base did not have before puts every file back as it was.
- ``- new_article: <id>`` with ``topic:``, ``title:``, ``catalogue_key:`` and ``questions: |``:
  a draft is written to ``review/drafts/<id>.yml`` (never committed), since an article without
  sources, answer or eight questions is refused by the loader. Once the editor has completed
  it, ``make merge REVIEW=review/drafts/<id>.yml`` moves it into
  ``data/knowledge/<topic>/<id>.yml`` — only when it has its sources with quotes, its answer,
  its link, its check date and eight questions, and when the check still passes.

``--project`` merges into another copy of the project (the round-trip test uses a temporary one).
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import json
import re
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedSeq
from ruamel.yaml.error import YAMLError as RuamelError
from ruamel.yaml.scalarstring import SingleQuotedScalarString

from analytics.nlu_files import (
    ANNOTATION,
    load_intent_examples,
    normalise,
    test_messages,
    training_messages,
)
from assurbot.train import rasa_data
from evaluation import real_questions
from knowledge.articles import MIN_QUESTIONS, ArticleError, article_files, parse_article
from knowledge.check import MAX_TITLE_CHARS, catalogue_keys
from knowledge.check import check as check_knowledge
from knowledge.text import normalized

ROOT = Path(__file__).resolve().parent.parent
DRAFTS = Path("review") / "drafts"  # under the project root, git-ignored like review/
_ID = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)*$")


class MergeError(Exception):
    """The reviewed file cannot be merged as it is; nothing was written."""


@dataclass
class Refusal:
    text: str
    intent: str
    reason: str


@dataclass
class NewArticle:
    """A ``- new_article:`` block of the reviewed file: the start of a draft."""

    id: str
    topic: str
    title: str
    catalogue_key: str
    questions: List[str] = field(default_factory=list)


@dataclass
class Plan:
    # data/nlu file -> intent -> example lines to append (as written in the review file)
    additions: Dict[Path, Dict[str, List[str]]] = field(default_factory=dict)
    refused: List[Refusal] = field(default_factory=list)
    # data/knowledge article file -> questions to append
    questions: Dict[Path, List[str]] = field(default_factory=dict)
    drafts: List[NewArticle] = field(default_factory=list)
    written_drafts: List[Path] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(
            len(lines) for by_intent in self.additions.values() for lines in by_intent.values()
        )

    @property
    def question_count(self) -> int:
        return sum(len(q) for q in self.questions.values())


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


def _lines(value: Any) -> List[str]:
    """The messages of a ``questions: |`` block (or of a YAML list), spaces collapsed."""
    if isinstance(value, list):
        texts = [str(v) for v in value if v is not None]
    elif isinstance(value, str):
        texts = [line.strip()[2:] for line in value.splitlines() if line.strip().startswith("- ")]
    else:
        texts = []
    return [" ".join(t.split()) for t in texts if t.strip()]


def read_article_section(path: Path) -> Tuple[List[Tuple[str, str]], List[NewArticle]]:
    """(article id, message) pairs of the ``articles:`` section, and its new articles."""
    try:
        document = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        raise MergeError(f"{path} n'est pas un fichier YAML valide : {error}") from error
    items = document.get("articles") or []
    if not isinstance(items, list):
        raise MergeError(
            f"{path} : « articles: » doit être une liste de blocs « - article: » ou "
            "« - new_article: »."
        )
    pairs: List[Tuple[str, str]] = []
    drafts: List[NewArticle] = []
    for item in items:
        if not isinstance(item, dict) or not ({"article", "new_article"} & set(item)):
            raise MergeError(
                f"{path} : seuls des blocs « - article: » ou « - new_article: » sont attendus "
                f"sous « articles: », pas {item!r:.60}."
            )
        questions = _lines(item.get("questions"))
        if "article" in item:
            pairs += [(str(item["article"]), q) for q in questions]
            continue
        missing = [k for k in ("topic", "title", "catalogue_key") if not item.get(k)]
        if missing:
            raise MergeError(
                f"{path} : le nouvel article « {item['new_article']} » n'a pas "
                + ", ".join(f"« {k}: »" for k in missing)
                + " (le thème est un dossier de data/knowledge/, la clé une clé de "
                "tests/intent_catalogue.yml)."
            )
        drafts.append(
            NewArticle(
                str(item["new_article"]),
                str(item["topic"]),
                " ".join(str(item["title"]).split()),
                str(item["catalogue_key"]),
                questions,
            )
        )
    return pairs, drafts


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


# --- the knowledge base ------------------------------------------------------------------------
def knowledge_dir(root: Path) -> Path:
    return root / "data" / "knowledge"


def real_question_texts(root: Path) -> Dict[str, str]:
    """Normalised text -> its batch, over the real-question evaluation set of ``root`` (the
    repository's when ``root`` is a copy without it)."""
    directory = root / "evaluation" / "real_questions" / "raw"
    if not directory.is_dir():
        directory = real_questions.RAW
    return {normalized(q.text): q.batch for q in real_questions.load(directory=directory)}


def article_questions(directory: Path) -> Dict[str, str]:
    """Normalised question -> the article that has it, over every article file."""
    found: Dict[str, str] = {}
    for path in article_files(directory):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for question in data.get("questions") or [] if isinstance(data, dict) else []:
            found.setdefault(normalized(str(question)), path.stem)
    return found


def _unknown(kind: str, names: Sequence[str], known: Sequence[str], advice: str) -> MergeError:
    lines = []
    for name in names:
        close = difflib.get_close_matches(name, known, n=2)
        hint = f" (vouliez-vous dire {' ou '.join(close)} ?)" if close else ""
        lines.append(f"  - {name}{hint}")
    return MergeError(f"{kind}, rien n'a été ajouté :\n" + "\n".join(lines) + "\n" + advice)


def plan_knowledge(
    pairs: Sequence[Tuple[str, str]], drafts: Sequence[NewArticle], root: Path, result: Plan
) -> Plan:
    """Adds to ``result`` the article questions and drafts of the ``articles:`` section."""
    if not pairs and not drafts:
        return result
    directory = knowledge_dir(root)
    files = {path.stem: path for path in article_files(directory)}
    unknown = sorted({article for article, _ in pairs if article not in files})
    if unknown:
        raise _unknown(
            "articles inconnus de data/knowledge/",
            unknown,
            list(files),
            "Corrigez leur identifiant (le nom du fichier, sans .yml), ou créez l'article avec "
            "un bloc « - new_article: <id> » (thème, titre, clé de catalogue).",
        )
    topics = sorted(p.name for p in directory.iterdir() if p.is_dir())
    keys, _ = catalogue_keys()
    problems = []
    for draft in drafts:
        if not _ID.match(draft.id):
            problems.append(f"« {draft.id} » : un identifiant s'écrit en snake_case (a-z, 0-9, _)")
        if draft.id in files:
            problems.append(
                f"« {draft.id} » existe déjà ({_relative(files[draft.id], root)}) : utilisez "
                "« - article: » pour lui ajouter des questions"
            )
        if draft.topic not in topics:
            close = difflib.get_close_matches(draft.topic, topics, n=2)
            problems.append(
                f"« {draft.id} » : le thème « {draft.topic} » n'est pas un dossier de "
                "data/knowledge/"
                + (f" (vouliez-vous dire {' ou '.join(close)} ?)" if close else "")
            )
        if draft.catalogue_key not in keys:
            problems.append(
                f"« {draft.id} » : « {draft.catalogue_key} » n'est pas une clé de "
                "tests/intent_catalogue.yml"
            )
        if len(draft.title) > MAX_TITLE_CHARS:
            problems.append(f"« {draft.id} » : titre de plus de {MAX_TITLE_CHARS} caractères")
        if not draft.questions:
            problems.append(f"« {draft.id} » : aucun message sous « questions: | »")
    if problems:
        raise MergeError(
            "nouveaux articles impossibles, rien n'a été ajouté :\n"
            + "\n".join(f"  - {p}" for p in problems)
        )
    existing, real = article_questions(directory), real_question_texts(root)
    seen: Dict[str, str] = {}
    wanted = [(a, q) for a, q in pairs] + [(d.id, q) for d in drafts for q in d.questions]
    kept: Dict[str, List[str]] = defaultdict(list)
    for article, question in wanted:
        key = normalized(question)
        target = f"article {article}"
        if not key:
            reason = "rien à chercher une fois la ponctuation enlevée"
        elif key in existing:
            reason = f"déjà une question de l'article {existing[key]}"
        elif key in real:
            reason = (
                f"question du jeu d'évaluation réel (evaluation/real_questions/raw/"
                f"{real[key]}.yml) : elle doit rester inédite pour l'évaluation"
            )
        elif key in seen:
            reason = f"deux fois dans la section articles (aussi pour {seen[key]})"
        else:
            seen[key] = article
            kept[article].append(question)
            continue
        result.refused.append(Refusal(question, target, reason))
    for article, _ in pairs:
        if kept.get(article):
            result.questions[files[article]] = kept.pop(article)
    for draft in drafts:
        draft.questions = kept.pop(draft.id, [])
        if draft.questions:
            result.drafts.append(draft)
    return result


def insert_question(text: str, question: str) -> str:
    """``text`` (an article file) with ``question`` after its last question, in the same
    indentation and quotes; every other line as it was.

    ruamel.yaml's round trip locates the last question. Its dump is not used: it rewrites the
    long questions PyYAML folded over two lines (contact/complaint.yml, for one)."""
    loader = YAML()
    loader.preserve_quotes = True
    try:
        data = loader.load(text)
    except RuamelError as error:
        raise MergeError(f"fichier d'article illisible : {error}") from error
    questions = data.get("questions") if isinstance(data, dict) else None
    if not isinstance(questions, CommentedSeq) or not questions:
        raise MergeError("l'article n'a pas de liste « questions: »")
    lines = text.splitlines(keepends=True)
    line, column = questions.lc.item(len(questions) - 1)
    dash = lines[line].rfind("-", 0, column)
    if dash < 0:
        raise MergeError("la liste « questions: » n'est pas écrite « - question » par ligne")
    end = line
    # A long question may go on over the next lines, indented deeper than its dash.
    while end + 1 < len(lines) and lines[end + 1].strip() and _indent(lines[end + 1]) > dash:
        end += 1
    if isinstance(questions[-1], SingleQuotedScalarString):
        quoted = "'" + question.replace("'", "''") + "'"
    else:
        quoted = json.dumps(question, ensure_ascii=False)  # a valid YAML double-quoted text
    if not lines[end].endswith("\n"):
        lines[end] += "\n"
    lines.insert(end + 1, f"{' ' * dash}- {quoted}\n")
    return "".join(lines)


def apply_questions(result: Plan) -> Dict[Path, str]:
    """Writes the article questions; returns each changed file's previous text."""
    before: Dict[Path, str] = {}
    for path, questions in result.questions.items():
        text = before.setdefault(path, path.read_text(encoding="utf-8"))
        old = yaml.safe_load(text)
        try:
            for question in questions:
                text = insert_question(text, question)
            new = yaml.safe_load(text)
        except (MergeError, yaml.YAMLError) as error:
            restore(before)
            raise MergeError(f"{path.name} : {error}") from error
        # The file must read as before, plus the new questions at the end.
        if {**new, "questions": old.get("questions")} != old or new["questions"] != [
            *old["questions"],
            *questions,
        ]:
            restore(before)
            raise MergeError(f"{path.name} : les questions ajoutées ne se relisent pas")
        path.write_text(text, encoding="utf-8")
    return before


def knowledge_problems(directory: Path) -> List[str]:
    """What ``python -m knowledge.check`` reports for the base in ``directory``."""
    problems, _ = check_knowledge(directory)
    return problems


def _problem_key(problem: str) -> str:
    # « articles a and b ask the same questions (0.81) »: the figure moves with every question
    return re.sub(r"\s*\(\d+\.\d+\)$", "", problem)


def new_problems(before: Sequence[str], after: Sequence[str]) -> List[str]:
    """The problems of ``after`` the base did not have ``before``: the merge's own. A base that
    already had problems (others' edits in progress) does not block every merge."""
    known = {_problem_key(p) for p in before}
    return [p for p in after if _problem_key(p) not in known]


DRAFT_HEADER = """\
# Brouillon d'article écrit par make merge le {day} à partir de {review}.
# Il n'est pas encore dans la base : un article sans sources, sans réponse ou avec moins de
# {minimum} questions est refusé. À compléter (le schéma : data/knowledge/README.md) :
#   - questions : au moins {minimum}, écrites comme les membres écrivent (requête courte, phrase
#     complète, sans accents, avec fautes...) ; la première vient d'un membre ;
#   - answer : la réponse, en français simple, en vouvoyant, 120 mots environ au plus ;
#   - link : la page officielle montrée au membre ;
#   - sources : les pages officielles (url, page_date), chacune avec des citations exactes
#     (quotes) ; chaque chiffre de la réponse doit figurer dans une citation ;
#   - checked : la date (AAAA-MM-JJ) à laquelle vous avez vérifié la réponse sur les sources.
# Puis : make merge REVIEW={draft}
# le déplace dans data/knowledge/<topic>/ (les lignes de commentaire du début et « topic: »
# sont alors retirées) et vérifie la base.
"""


def draft_text(draft: NewArticle, review: str, draft_path: str, day: dt.date) -> str:
    header = DRAFT_HEADER.format(
        day=day.strftime("%d/%m/%Y"), review=review, minimum=MIN_QUESTIONS, draft=draft_path
    )
    body = [
        f"topic: {draft.topic}  # dossier de data/knowledge/ où l'article ira",
        f"id: {draft.id}",
        f"title: {json.dumps(draft.title, ensure_ascii=False)}",
        f"catalogue_key: {draft.catalogue_key}",
        "questions:",
        *(f"- {json.dumps(q, ensure_ascii=False)}" for q in draft.questions),
        'answer: ""',
        'link: ""',
        "sources: []",
        'checked: ""',
    ]
    return header + "\n".join(body) + "\n"


def write_drafts(result: Plan, review: Path, root: Path, day: dt.date) -> None:
    """Writes each new article's draft, or adds the questions to the draft already there."""
    for draft in result.drafts:
        path = root / DRAFTS / f"{draft.id}.yml"
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            text = path.read_text(encoding="utf-8")
            have = {normalized(str(q)) for q in (yaml.safe_load(text) or {}).get("questions") or []}
            for question in draft.questions:
                if normalized(question) not in have:
                    text = insert_question(text, question)
        else:
            text = draft_text(draft, _relative(review, root), _relative(path, root), day)
        path.write_text(text, encoding="utf-8")
        result.written_drafts.append(path)


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
        *(str(p.relative_to(root)) for p in rasa_data(root)),
    ]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True)
    return done.returncode == 0, done.stdout + done.stderr


def merge(
    review: Path, root: Path = ROOT, check: bool = True, today: Optional[dt.date] = None
) -> Plan:
    """Merges ``review`` into the project at ``root``; raises MergeError when it cannot."""
    result = plan(read_review(review), root)
    plan_knowledge(*read_article_section(review), root, result)
    directory = knowledge_dir(root)
    problems_before = knowledge_problems(directory) if check and result.questions else []
    before = apply(result)
    try:
        before.update(apply_questions(result))
    except MergeError:
        restore(before)
        raise
    if check and result.count:
        ok, output = validate(root)
        if not ok:
            restore(before)
            tail = "\n".join(output.strip().splitlines()[-15:])
            raise MergeError(
                "rasa data validate a échoué ; les fichiers ont été remis comme avant.\n" + tail
            )
    if check and result.questions:
        found = new_problems(problems_before, knowledge_problems(directory))
        if found:
            restore(before)
            raise MergeError(
                "la vérification de la base de connaissances (make check-knowledge) a trouvé "
                "des problèmes nouveaux ; les fichiers ont été remis comme avant.\n"
                + "\n".join(f"  - {p}" for p in found[:15])
            )
    write_drafts(result, review, root, today or dt.date.today())
    return result


# --- a completed draft moves into the knowledge base -----------------------------------------
def is_draft(path: Path) -> bool:
    """A draft article (review/drafts/<id>.yml) rather than a review file."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return False
    return isinstance(document, dict) and "id" in document and "nlu" not in document


def draft_gaps(data: Dict[str, Any], root: Path) -> List[str]:
    """What the editor still has to write before the draft may join the base, in French."""
    gaps = []
    topics = {p.name for p in knowledge_dir(root).iterdir() if p.is_dir()}
    if str(data.get("topic") or "") not in topics:
        gaps.append("topic : le dossier de data/knowledge/ où l'article ira")
    questions = [q for q in data.get("questions") or [] if isinstance(q, str) and q.strip()]
    if len(questions) < MIN_QUESTIONS:
        gaps.append(f"questions : {len(questions)}, il en faut au moins {MIN_QUESTIONS}")
    for name, what in (("answer", "la réponse"), ("link", "la page officielle montrée")):
        if not isinstance(data.get(name), str) or not data[name].strip():
            gaps.append(f"{name} : {what}")
    sources = data.get("sources")
    if not isinstance(sources, list) or not sources:
        gaps.append("sources : au moins une page officielle, avec ses citations (quotes)")
    else:
        for source in sources:
            url = source.get("url") if isinstance(source, dict) else None
            if not isinstance(url, str) or not url.strip():
                gaps.append(f"sources : une source sans url ({source!r:.60})")
            elif not [q for q in source.get("quotes") or [] if str(q).strip()]:
                gaps.append(f"sources : {url} n'a pas de citation (quotes) de la page")
    checked = data.get("checked")
    if not isinstance(checked, dt.date):
        try:
            dt.date.fromisoformat(str(checked or ""))
        except ValueError:
            gaps.append("checked : la date de votre vérification, AAAA-MM-JJ")
    return gaps


def article_from_draft(text: str) -> str:
    """The article file of a draft: its header comments and its ``topic:`` line removed."""
    lines = text.splitlines(keepends=True)
    while lines and (lines[0].startswith("#") or not lines[0].strip()):
        lines.pop(0)
    return "".join(line for line in lines if not re.match(r"^topic\s*:", line))


def accept_draft(draft: Path, root: Path = ROOT, check: bool = True) -> Path:
    """Moves a completed draft into data/knowledge/<topic>/<id>.yml; raises MergeError, with
    nothing moved, when it is incomplete or when the base's check finds a new problem."""
    text = draft.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    gaps = draft_gaps(data, root)
    if gaps:
        raise MergeError(
            f"le brouillon {draft.name} n'est pas complet, rien n'a été déplacé. À compléter :\n"
            + "\n".join(f"  - {g}" for g in gaps)
        )
    real = real_question_texts(root)
    in_real = [q for q in data["questions"] if normalized(str(q)) in real]
    if in_real:
        raise MergeError(
            "questions du jeu d'évaluation réel (elles doivent rester inédites), rien n'a été "
            "déplacé :\n" + "\n".join(f"  - {q}" for q in in_real)
        )
    directory = knowledge_dir(root)
    target = directory / str(data["topic"]) / f"{data['id']}.yml"
    if target.exists():
        raise MergeError(f"{_relative(target, root)} existe déjà ; rien n'a été déplacé.")
    article = article_from_draft(text)
    try:
        parse_article(yaml.safe_load(article), target)
    except (ArticleError, yaml.YAMLError) as error:
        raise MergeError(f"{draft.name} : {error} ; rien n'a été déplacé.") from error
    problems_before = knowledge_problems(directory) if check else []
    target.write_text(article, encoding="utf-8")
    if check:
        found = new_problems(problems_before, knowledge_problems(directory))
        if found:
            target.unlink()
            raise MergeError(
                "la vérification de la base de connaissances (make check-knowledge) a trouvé "
                "des problèmes nouveaux ; l'article n'a pas été déplacé.\n"
                + "\n".join(f"  - {p}" for p in found[:15])
            )
    draft.unlink()
    return target


def report(result: Plan, root: Path) -> List[str]:
    lines = [f"merge: {result.count} exemples ajoutés."]
    for path, by_intent in sorted(result.additions.items()):
        for intent, examples in by_intent.items():
            lines.append(f"  {_relative(path, root)} : +{len(examples)} sous {intent}")
    if result.questions:
        lines.append(f"{result.question_count} questions ajoutées aux articles.")
        for path, questions in sorted(result.questions.items()):
            lines.append(f"  {_relative(path, root)} : +{len(questions)}")
    for draft, path in zip(result.drafts, result.written_drafts, strict=True):
        lines += [
            f"Brouillon du nouvel article {draft.id} : {_relative(path, root)}",
            f"  à compléter avant d'aller dans data/knowledge/{draft.topic}/ : au moins "
            f"{MIN_QUESTIONS} questions, la réponse (answer), la page officielle (link), les "
            "sources avec leurs citations (quotes) et la date de vérification (checked) ;",
            f"  puis : make merge REVIEW={_relative(path, root)}",
        ]
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
    parser.add_argument(
        "review", type=Path, help="le fichier de revue corrigé, ou un brouillon d'article"
    )
    parser.add_argument("--project", type=Path, default=ROOT, help="racine du projet")
    parser.add_argument(
        "--no-validate",
        action="store_true",
        help="sans rasa data validate ni vérification de la base de connaissances",
    )
    args = parser.parse_args(argv)
    if not str(args.review).strip() or str(args.review) == ".":
        print(
            "merge: indiquez le fichier : make merge REVIEW=review/<fichier>.yml", file=sys.stderr
        )
        return 2
    if not args.review.is_file():
        print(f"merge: {args.review} n'existe pas (make review le crée).", file=sys.stderr)
        return 2
    root = args.project.resolve()
    if is_draft(args.review):
        try:
            target = accept_draft(args.review, root, check=not args.no_validate)
        except MergeError as error:
            print(f"merge: {error}", file=sys.stderr)
            return 2
        print(f"merge: article ajouté à la base : {_relative(target, root)}.")
        print(restart(not args.no_validate))
        return 0
    try:
        result = merge(args.review, root, check=not args.no_validate)
    except MergeError as error:
        print(f"merge: {error}", file=sys.stderr)
        return 2
    print("\n".join(report(result, root)))
    if result.count:
        checked = "" if args.no_validate else "Données validées (rasa data validate). "
        print(f"{checked}Ensuite : make train, make test, puis commit.")
    if result.questions:
        print(restart(not args.no_validate))
    if not (result.count or result.questions or result.drafts):
        print("Rien à ajouter.")
    return 0


def restart(checked: bool) -> str:
    done = "Base de connaissances vérifiée (make check-knowledge). " if checked else ""
    return (
        f"{done}Les articles sont lus au démarrage du serveur d'actions : redémarrez-le (ou "
        "relancez make run) pour qu'il réponde avec ; pas besoin de make train. Puis commit."
    )


if __name__ == "__main__":
    sys.exit(main())
