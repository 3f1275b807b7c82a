"""`make simulate`: conversations made from the test data, sent to the running assistant.

    python -m analytics.simulate [--conversations 60] [--seed 2026]

So that a newcomer sees a populated report (`make report`) and review (`make review`). The
conversations go through the real channels, as members' would: the mobile app's REST webhook
and the website's socket.io, anonymous or logged in as a demo persona (a signed token in the
metadata), some opened from a page of the site (journey), and the website's thumbs through the
web server's ``POST /feedback``. They are built from ``tests/test_stories.yml``,
``tests/test_nlu.yml`` (some messages with a typo or a polite word added, as members write) and
the personas' questions. Each message carries ``metadata.simulation`` so a review can tell.

If the assistant is not running (`make run` in another terminal), it is started for the run and
stopped afterwards; its events go to the same event store either way (``EVENT_STORE_URL``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import secrets
import sys
import time
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import httpx

from analytics.nlu_files import load_intent_examples, story_messages
from assurbot.event_store import EventStore, is_off
from assurbot.stack import Stack, default_services, is_up

ROOT = Path(__file__).resolve().parent.parent
SESSION_START = "/session_start"
JOURNEYS = ("vaccination", "contact_case", "sick_leave", "vitale_card", "maternity")
DIALOGUE_INTENTS = {"greet", "goodbye", "thank"}
# Bot answers that mean "not understood": a member who got one rates the answer down more often.
NOT_UNDERSTOOD = ("Je ne suis pas sûr d'avoir compris", "Pardon, je n'ai pas compris")
IDLE_SECONDS = 0.8  # socket.io has no end-of-turn marker: a turn is over after this silence
REPLY_TIMEOUT = 30.0
SEED = 20261124


@dataclass
class Script:
    """One simulated conversation."""

    channel: str  # "rest" or "socketio"
    messages: List[str]
    journey: Optional[str] = None
    persona: Optional[str] = None
    origin: str = ""

    @property
    def opened_by_channel(self) -> bool:
        # The website always opens the chat; the app does when it has a journey.
        return self.channel == "socketio" or self.journey is not None


@dataclass
class Outcome:
    script: Script
    sender_id: str
    replies: List[List[str]] = field(default_factory=list)
    rating: Optional[str] = None
    error: Optional[str] = None


# --- building the conversations -------------------------------------------------------------
def persona_questions(ask: str) -> List[str]:
    ask = re.sub(r"\([^)]*\)", "", ask)
    chunks = re.split(r"\s+/\s+", ask)
    parts = [part for chunk in chunks for part in re.split(r"(?<=[?.])\s+", chunk)]
    return [p.strip() for p in parts if p.strip()]


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def vary(text: str, rng: random.Random) -> str:
    """The message as a member might type it: a typo, no accents, a polite word."""
    words = text.split()
    long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if long_words and rng.random() < 0.6:
        i = rng.choice(long_words)
        j = rng.randrange(1, len(words[i]) - 2)
        word = words[i]
        words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    text = " ".join(words)
    if rng.random() < 0.4:
        text = _strip_accents(text).lower()
    if rng.random() < 0.6:
        if rng.random() < 0.5:
            text = rng.choice(["bonjour ", "svp ", "excusez-moi, ", "petite question : "]) + text
        else:
            text = text.rstrip(" ?.") + rng.choice([" svp", " merci", " stp ?", " merci d'avance"])
    return text


def build_scripts(count: int, seed: int, root: Path = ROOT) -> List[Script]:
    """About ``count`` conversations: the test stories, every persona, then NLU samples."""
    from member_system.personas import PERSONAS

    rng = random.Random(seed)
    scripts: List[Script] = []
    for i, messages in enumerate(story_messages(root / "tests" / "test_stories.yml")):
        channel = "rest" if i % 2 else "socketio"
        scripts.append(Script(channel, messages, origin="story"))
    for i, persona in enumerate(PERSONAS):
        channel = "socketio" if i % 2 else "rest"
        scripts.append(
            Script(channel, persona_questions(persona.ask), persona=persona.id, origin="persona")
        )
    examples = load_intent_examples([root / "tests" / "test_nlu.yml"])
    topics = sorted(i for i in examples if i not in DIALOGUE_INTENTS)
    i = 0
    while len(scripts) < count:
        messages = []
        if rng.random() < 0.4 and examples.get("greet"):
            messages.append(rng.choice(examples["greet"]))
        for _ in range(rng.choice([1, 1, 2, 2, 3])):
            text = rng.choice(examples[rng.choice(topics)])
            messages.append(vary(text, rng) if rng.random() < 0.5 else text)
        if rng.random() < 0.4:
            closing = rng.choice(["thank", "goodbye"])
            if examples.get(closing):
                messages.append(rng.choice(examples[closing]))
        journey = rng.choice(JOURNEYS) if rng.random() < 0.25 else None
        scripts.append(
            Script("socketio" if i % 2 else "rest", messages, journey=journey, origin="nlu")
        )
        i += 1
    rng.shuffle(scripts)
    return scripts


# --- talking to the assistant ---------------------------------------------------------------
def _metadata(script: Script, token: Optional[str], first: bool) -> Dict[str, Any]:
    metadata: Dict[str, Any] = {"simulation": True}
    if token:
        metadata["auth_token"] = token
    if first and script.journey:
        metadata["journey"] = script.journey
    return metadata


async def _over_rest(
    client: httpx.AsyncClient, rasa_url: str, script: Script, outcome: Outcome, token: Optional[str]
) -> None:
    turns = ([SESSION_START] if script.opened_by_channel else []) + script.messages
    for n, text in enumerate(turns):
        response = await client.post(
            f"{rasa_url}/webhooks/rest/webhook",
            json={
                "sender": outcome.sender_id,
                "message": text,
                "metadata": _metadata(script, token, n == 0),
            },
            timeout=REPLY_TIMEOUT,
        )
        response.raise_for_status()
        outcome.replies.append([m.get("text", "") for m in response.json()])


async def _over_socketio(
    rasa_url: str, script: Script, outcome: Outcome, token: Optional[str]
) -> None:
    import socketio

    client = socketio.AsyncClient(reconnection=False)
    received: asyncio.Queue = asyncio.Queue()
    confirmed: asyncio.Future = asyncio.get_running_loop().create_future()

    @client.on("session_confirm")
    async def on_confirm(data: Any) -> None:
        session_id = data if isinstance(data, str) else (data or {}).get("session_id")
        if not confirmed.done():
            confirmed.set_result(session_id)

    @client.on("bot_uttered")
    async def on_bot(data: Any) -> None:
        await received.put((data or {}).get("text", ""))

    try:
        # Long polling: python-engineio's WebSocket client needs a newer aiohttp than Rasa's.
        await client.connect(rasa_url, socketio_path="/socket.io", transports=["polling"])
        await client.emit("session_request", {"session_id": None})
        outcome.sender_id = await asyncio.wait_for(confirmed, REPLY_TIMEOUT)
        for n, text in enumerate([SESSION_START, *script.messages]):
            await client.emit(
                "user_uttered",
                {
                    "message": text,
                    "session_id": outcome.sender_id,
                    "metadata": _metadata(script, token, n == 0),
                },
            )
            replies = [await asyncio.wait_for(received.get(), REPLY_TIMEOUT)]
            while True:
                try:
                    replies.append(await asyncio.wait_for(received.get(), IDLE_SECONDS))
                except asyncio.TimeoutError:
                    break
            outcome.replies.append(replies)
    finally:
        await client.disconnect()


async def _rate(client: httpx.AsyncClient, web_url: str, outcome: Outcome, rating: str) -> None:
    response = await client.post(
        f"{web_url}/feedback",
        json={
            "sender_id": outcome.sender_id,
            "rating": rating,
            "message_index": 2 * len(outcome.replies) - 1,
        },
        timeout=REPLY_TIMEOUT,
    )
    response.raise_for_status()
    outcome.rating = rating


async def run_scripts(
    scripts: Sequence[Script],
    rasa_url: str,
    web_url: Optional[str],
    seed: int,
    concurrency: int = 4,
) -> List[Outcome]:
    from member_system.token import issue_token

    limit = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient() as client:

        async def one(n: int, script: Script) -> Outcome:
            # One generator per conversation: the thumbs do not depend on which ends first.
            rng = random.Random(seed * 1000 + n)
            outcome = Outcome(script, uuid.uuid4().hex)
            token = issue_token(script.persona) if script.persona else None
            async with limit:
                try:
                    if script.channel == "socketio":
                        await _over_socketio(rasa_url, script, outcome, token)
                    else:
                        await _over_rest(client, rasa_url, script, outcome, token)
                    if web_url and script.channel == "socketio" and rng.random() < 0.6:
                        texts = [text for turn in outcome.replies for text in turn]
                        missed = any(text.startswith(NOT_UNDERSTOOD) for text in texts)
                        down = rng.random() < (0.7 if missed else 0.15)
                        await _rate(client, web_url, outcome, "down" if down else "up")
                except Exception as error:  # one broken conversation does not stop the others
                    outcome.error = f"{type(error).__name__}: {error}"
            return outcome

        return list(await asyncio.gather(*(one(n, s) for n, s in enumerate(scripts))))


# --- command --------------------------------------------------------------------------------
def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Conversations de démonstration pour le rapport.")
    parser.add_argument("--conversations", type=int, default=60, help="environ combien (60)")
    parser.add_argument(
        "--seed", type=int, default=SEED, help=f"même graine, mêmes conversations ({SEED})"
    )
    parser.add_argument("--concurrency", type=int, default=4)
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    env = dict(os.environ)
    rasa_url = f"http://127.0.0.1:{env.get('RASA_PORT', '5005')}"
    web_url = f"http://127.0.0.1:{env.get('WEB_PORT', '8080')}"
    stack: Optional[Stack] = None
    if not is_up(f"{rasa_url}/"):
        print(
            "simulate: l'assistant ne tourne pas ; je le démarre le temps de la simulation "
            "(environ une minute)...",
            flush=True,
        )
        if not env.get("RASA_API_TOKEN", "").strip():
            env["RASA_API_TOKEN"] = secrets.token_urlsafe(32)
        stack = Stack(env)
        try:
            stack.start(default_services(env))
        except RuntimeError as error:
            print(f"simulate: {error}", file=sys.stderr)
            return 1
    try:
        if not is_up(f"{web_url}/health"):
            print(f"simulate: pas de serveur web sur {web_url} : pas d'avis (pouces).")
            web_url = None
        scripts = build_scripts(args.conversations, args.seed)
        print(f"simulate: {len(scripts)} conversations vers {rasa_url}...", flush=True)
        started = time.monotonic()
        outcomes = asyncio.run(run_scripts(scripts, rasa_url, web_url, args.seed, args.concurrency))
        elapsed = time.monotonic() - started
    finally:
        if stack is not None:
            print("simulate: j'arrête l'assistant démarré pour la simulation.", flush=True)
            stack.stop()
    print("\n".join(summary(outcomes, elapsed)))
    failed = [o for o in outcomes if o.error]
    return 1 if len(failed) > len(outcomes) // 2 else 0


def summary(outcomes: Sequence[Outcome], elapsed: float) -> List[str]:
    done = [o for o in outcomes if not o.error]
    by_channel: Dict[str, int] = {}
    for outcome in done:
        by_channel[outcome.script.channel] = by_channel.get(outcome.script.channel, 0) + 1
    messages = sum(len(o.script.messages) for o in done)
    ratings = [o.rating for o in done if o.rating]
    lines = [
        f"simulate: {len(done)} conversations ({messages} messages) en {elapsed:.0f} s : "
        + ", ".join(f"{n} par {channel}" for channel, n in sorted(by_channel.items())),
        f"  dont {sum(1 for o in done if o.script.persona)} connectées (personas), "
        f"{sum(1 for o in done if o.script.journey)} ouvertes depuis une page du site ; "
        f"{len(ratings)} avis ({ratings.count('up')} positifs, {ratings.count('down')} négatifs)",
    ]
    for outcome in outcomes:
        if outcome.error:
            lines.append(f"  échec ({outcome.script.channel}) : {outcome.error}")
    if not is_off():
        time.sleep(1.5)  # the broker may write the last events a moment after the answers
        store = EventStore()
        try:
            found = store.export_conversations([o.sender_id for o in done])
            stored = sum(len(events) for events in found.values())
        finally:
            store.close()
        if stored:
            lines.append(f"  {stored} événements enregistrés ; voyez-les avec `make report`.")
        else:
            lines.append(
                "  Aucun événement de ces conversations dans la base d'événements : l'assistant "
                "en cours a-t-il été lancé avant l'ajout du courtier d'événements ? Relancez "
                "`make run`."
            )
    return lines


if __name__ == "__main__":
    sys.exit(main())
