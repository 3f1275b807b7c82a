"""The figures the insurer follows, computed from the conversation events of a period.

Definitions (the report prints them too):

- A **conversation** is a session of one conversation id: it starts at ``action_session_start``
  (Rasa runs it on a first message, after an hour of silence, and when a channel opens the chat
  with ``/session_start``) and counts when the member sent at least one message in it. It is
  dated by its first message, in French time.
- A **message** is what the member sent: typed text or a button's payload; ``/session_start``
  is the channel opening the chat, not a message.
- A message is **not answered** (fallback) when its intent is ``nlu_fallback`` or when Rasa's
  fallback ran after it (``action_default_fallback``, the two-stage fallback's actions), even
  if the member then picked the right topic among the buttons offered. Every other message is
  **answered**; the **answer rate** is answered / messages.
- **Out of scope**: answered messages of intent ``out_of_scope`` (Assurbot pointed elsewhere).
- **Understood**: typed messages answered with an intent confidence of at least
  ``LOW_CONFIDENCE`` (button payloads are left out: they are understood by construction).
- **Hand-off**: a conversation in which ``action_hand_off_to_adviser`` ran.
- **Satisfaction**: thumbs up / (up + down), from the ``feedback`` slot the website records.
- **Journey**: the page the chat was opened from (``journey`` slot); **connection**: logged in
  when a message carried the member's pseudonymous ``member_ref``.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple
from zoneinfo import ZoneInfo

from actions.topics import TOPIC_OF_INTENT

TIMEZONE = ZoneInfo("Europe/Paris")
FALLBACK_INTENT = "nlu_fallback"
OUT_OF_SCOPE_INTENT = "out_of_scope"
SESSION_START_INTENT = "session_start"
SESSION_START_ACTION = "action_session_start"
HAND_OFF_ACTION = "action_hand_off_to_adviser"
FALLBACK_ACTIONS = frozenset(
    {
        "action_default_fallback",
        "action_two_stage_fallback",
        "action_default_ask_affirmation",
        "action_default_ask_rephrase",
    }
)
# Below this confidence a message is "understood with low confidence": the review exports it.
# Above the fallback's 0.55 (config.yml), so it also catches the narrow escapes.
LOW_CONFIDENCE = 0.7
ANSWER_RATE_TARGET = 0.95
REPLAY_SECONDS = 5.0
DIALOGUE_TOPIC = "dialogue"

CHANNEL_LABELS = {"rest": "Appli (API REST)", "socketio": "Site web (socket.io)"}
JOURNEY_LABELS = {
    "vaccination": "page vaccination",
    "contact_case": "page cas contact Covid",
    "sick_leave": "page arrêt de travail",
    "vitale_card": "page carte Vitale",
    "maternity": "page maternité",
}
NO_JOURNEY = "aucune (chat ouvert sans sujet)"
LOGGED_IN, ANONYMOUS = "connecté", "anonyme"


@dataclass
class Message:
    text: str
    intent: str
    confidence: float
    timestamp: float
    channel: str
    ranking: List[Tuple[str, float]] = field(default_factory=list)
    simulated: bool = False
    fallback: bool = False

    @property
    def typed(self) -> bool:
        return not self.text.startswith("/")

    @property
    def answered(self) -> bool:
        return not self.fallback

    @property
    def out_of_scope(self) -> bool:
        return self.answered and self.intent == OUT_OF_SCOPE_INTENT

    @property
    def understood(self) -> bool:
        return self.answered and self.confidence >= LOW_CONFIDENCE

    @property
    def predicted_intent(self) -> str:
        """The intent the model leaned to: under a fallback, the best ranked real intent."""
        if self.intent != FALLBACK_INTENT:
            return self.intent
        for name, _ in self.ranking:
            if name != FALLBACK_INTENT:
                return name
        return OUT_OF_SCOPE_INTENT

    @property
    def predicted_confidence(self) -> float:
        if self.intent != FALLBACK_INTENT:
            return self.confidence
        for name, confidence in self.ranking:
            if name != FALLBACK_INTENT:
                return confidence
        return 0.0


@dataclass
class Conversation:
    sender_id: str
    messages: List[Message] = field(default_factory=list)
    journey: Optional[str] = None
    logged_in: bool = False
    hand_off: bool = False
    ratings: List[str] = field(default_factory=list)

    @property
    def start(self) -> float:
        return self.messages[0].timestamp

    @property
    def day(self) -> date:
        return local_date(self.start)

    @property
    def channel(self) -> str:
        return self.messages[0].channel


def local_date(timestamp: float) -> date:
    return datetime.fromtimestamp(timestamp, TIMEZONE).date()


def period_bounds(start: date, end: date) -> Tuple[float, float]:
    """Epoch seconds of the period's first instant and of the instant after its last day."""
    first = datetime.combine(start, time.min, TIMEZONE)
    after = datetime.combine(end + timedelta(days=1), time.min, TIMEZONE)
    return first.timestamp(), after.timestamp()


def _message(event: Dict[str, Any]) -> Message:
    parse_data = event.get("parse_data") or {}
    intent = parse_data.get("intent") or {}
    metadata = event.get("metadata") or {}
    return Message(
        text=" ".join(str(event.get("text") or "").split()),
        intent=str(intent.get("name") or FALLBACK_INTENT),
        confidence=float(intent.get("confidence") or 0.0),
        timestamp=float(event.get("timestamp") or 0.0),
        channel=str(event.get("input_channel") or "autre"),
        ranking=[
            (str(r.get("name")), float(r.get("confidence") or 0.0))
            for r in parse_data.get("intent_ranking") or []
            if isinstance(r, dict)
        ],
        simulated=bool(isinstance(metadata, dict) and metadata.get("simulation")),
    )


def _member_ref(event: Dict[str, Any]) -> Optional[str]:
    for metadata in (event.get("metadata"), (event.get("parse_data") or {}).get("metadata")):
        if isinstance(metadata, dict) and metadata.get("member_ref"):
            return str(metadata["member_ref"])
    return None


def conversations(events: Iterable[Dict[str, Any]]) -> List[Conversation]:
    """The conversations (with at least one message) of time-ordered events, oldest first."""
    sessions: Dict[str, List[Conversation]] = defaultdict(list)

    def current(sender_id: str) -> Conversation:
        if not sessions[sender_id]:
            sessions[sender_id].append(Conversation(sender_id))
        return sessions[sender_id][-1]

    # The two-stage fallback, once the member clarifies, takes their message back ("rewind")
    # and replays it at once with a confidence of 1.0: the replay is the same message, kept
    # with the model's real confidence. (The default fallback rewinds too, with no replay.)
    rewound: Dict[str, Tuple[Conversation, Message, float]] = {}
    for event in events:
        sender_id, kind = str(event.get("sender_id") or ""), event.get("event")
        if kind == "rewind":
            conversation = current(sender_id)
            if conversation.messages:
                rewound[sender_id] = (
                    conversation,
                    conversation.messages[-1],
                    float(event.get("timestamp") or 0.0),
                )
        elif kind == "action":
            name = event.get("name")
            if name == SESSION_START_ACTION:
                sessions[sender_id].append(Conversation(sender_id))
            elif name == HAND_OFF_ACTION:
                current(sender_id).hand_off = True
            elif name in FALLBACK_ACTIONS:
                conversation = current(sender_id)
                if conversation.messages:
                    conversation.messages[-1].fallback = True
        elif kind == "user":
            message = _message(event)
            if message.intent == SESSION_START_INTENT or message.text == "/session_start":
                continue
            if sender_id in rewound:
                owner, replayed, when = rewound.pop(sender_id)
                if (
                    replayed.text == message.text
                    and message.confidence == 1.0
                    and message.timestamp - when < REPLAY_SECONDS
                ):
                    owner.messages = [m for m in owner.messages if m is not replayed]
                    message = replayed
                    message.fallback = False
            if message.intent == FALLBACK_INTENT:
                message.fallback = True
            conversation = current(sender_id)
            conversation.messages.append(message)
            if _member_ref(event):
                conversation.logged_in = True
        elif kind == "slot" and event.get("name") == "journey" and event.get("value"):
            current(sender_id).journey = str(event["value"])
        elif kind == "slot" and event.get("name") == "feedback" and event.get("value"):
            # Thumbs come after the answers they rate, sometimes once a new session began.
            rated = [c for c in sessions[sender_id] if c.messages]
            if rated:
                rated[-1].ratings.append(str(event["value"]))
    found = [c for convs in sessions.values() for c in convs if c.messages]
    return sorted(found, key=lambda c: c.start)


def topic_of(intent: str) -> str:
    if intent == OUT_OF_SCOPE_INTENT:
        return OUT_OF_SCOPE_INTENT
    return TOPIC_OF_INTENT.get(intent, DIALOGUE_TOPIC)


def _rate(part: int, whole: int) -> Optional[float]:
    return part / whole if whole else None


@dataclass
class Segment:
    """The figures of a set of conversations (the whole period, one channel, one journey...)."""

    label: str
    conversations: int = 0
    messages: int = 0
    answered: int = 0
    fallback: int = 0
    out_of_scope: int = 0
    typed: int = 0
    understood: int = 0
    hand_offs: int = 0
    thumbs_up: int = 0
    thumbs_down: int = 0

    @classmethod
    def of(cls, label: str, convs: Iterable[Conversation]) -> "Segment":
        segment = cls(label)
        for conversation in convs:
            segment.conversations += 1
            segment.hand_offs += conversation.hand_off
            segment.thumbs_up += conversation.ratings.count("up")
            segment.thumbs_down += conversation.ratings.count("down")
            for message in conversation.messages:
                segment.messages += 1
                segment.answered += message.answered
                segment.fallback += message.fallback
                segment.out_of_scope += message.out_of_scope
                if message.typed:
                    segment.typed += 1
                    segment.understood += message.understood
        return segment

    @property
    def messages_per_conversation(self) -> Optional[float]:
        return _rate(self.messages, self.conversations)

    @property
    def answer_rate(self) -> Optional[float]:
        return _rate(self.answered, self.messages)

    @property
    def fallback_rate(self) -> Optional[float]:
        return _rate(self.fallback, self.messages)

    @property
    def out_of_scope_rate(self) -> Optional[float]:
        return _rate(self.out_of_scope, self.messages)

    @property
    def understanding_rate(self) -> Optional[float]:
        return _rate(self.understood, self.typed)

    @property
    def hand_off_rate(self) -> Optional[float]:
        return _rate(self.hand_offs, self.conversations)

    @property
    def ratings(self) -> int:
        return self.thumbs_up + self.thumbs_down

    @property
    def satisfaction(self) -> Optional[float]:
        return _rate(self.thumbs_up, self.ratings)


@dataclass
class Figures:
    start: date
    end: date
    total: Segment
    per_day: List[Tuple[date, int]]
    messages_per_conversation: Dict[int, int]
    median_messages: Optional[float]
    topics: List[Tuple[str, int]]
    intents: List[Tuple[str, int]]
    by_channel: List[Segment]
    by_journey: List[Segment]
    by_connection: List[Segment]


def _segments(
    convs: List[Conversation], key: Callable[[Conversation], str], order: Optional[List[str]] = None
) -> List[Segment]:
    groups: Dict[str, List[Conversation]] = defaultdict(list)
    for conversation in convs:
        groups[key(conversation)].append(conversation)
    labels = sorted(groups, key=lambda label: (-len(groups[label]), label))
    if order:
        labels = [label for label in order if label in groups] + [
            label for label in labels if label not in order
        ]
    return [Segment.of(label, groups[label]) for label in labels]


def compute(convs: List[Conversation], start: date, end: date) -> Figures:
    """The figures of the conversations dated within [start, end]."""
    convs = [c for c in convs if start <= c.day <= end]
    days = Counter(c.day for c in convs)
    per_day = [
        (start + timedelta(days=i), days.get(start + timedelta(days=i), 0))
        for i in range((end - start).days + 1)
    ]
    lengths = [len(c.messages) for c in convs]
    answered = [m for c in convs for m in c.messages if m.answered]
    topics = Counter(topic_of(m.intent) for m in answered)
    topics.pop(DIALOGUE_TOPIC, None)
    return Figures(
        start=start,
        end=end,
        total=Segment.of("Ensemble", convs),
        per_day=per_day,
        messages_per_conversation=dict(sorted(Counter(lengths).items())),
        median_messages=statistics.median(lengths) if lengths else None,
        topics=sorted(topics.items(), key=lambda kv: (-kv[1], kv[0])),
        intents=sorted(Counter(m.intent for m in answered).items(), key=lambda kv: (-kv[1], kv[0])),
        by_channel=_segments(convs, lambda c: CHANNEL_LABELS.get(c.channel, c.channel)),
        by_journey=_segments(
            convs, lambda c: JOURNEY_LABELS.get(c.journey, c.journey) if c.journey else NO_JOURNEY
        ),
        by_connection=_segments(
            convs, lambda c: LOGGED_IN if c.logged_in else ANONYMOUS, [ANONYMOUS, LOGGED_IN]
        ),
    )
