"""Members' rights over their conversations: access (export), erasure, and retention.

    python -m assurbot.gdpr export --member P-CLAIRE-REMB [--out export.json]
    python -m assurbot.gdpr export --conversation <conversation id>
    python -m assurbot.gdpr erase  --member P-CLAIRE-REMB
    python -m assurbot.gdpr erase  --conversation <conversation id>
    python -m assurbot.gdpr purge          # retention now, in every store

A member's conversations are those whose messages carried their pseudonymous reference
(assurbot/identity.py: the channel adds it when the member's token is valid), found in the
tracker store (Redis or SQLite) and in the event store (SQLite or PostgreSQL). Export writes
every event of those conversations, from both stores, as JSON; erasure deletes them from both
and reports what it deleted, then checks nothing is left. Anonymous conversations (public
site, no login) can only be named by their conversation id.

The stores are those the environment configures (REDIS_URL, TRACKER_SQLITE_PATH,
EVENT_STORE_URL: see .env.example), as for the running assistant.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from assurbot import event_store
from assurbot.event_broker import retention_seconds
from assurbot.identity import member_ref

ROOT = Path(__file__).resolve().parent.parent


def tracker_store() -> Any:
    from rasa.shared.core.domain import Domain

    from assurbot.tracker_store import AssurbotTrackerStore

    return AssurbotTrackerStore(
        domain=Domain.load(str(ROOT / "domain.yml")),
        host=os.environ.get("REDIS_URL", ""),
        key_prefix=os.environ.get("REDIS_KEY_PREFIX", "assurbot"),
        record_exp=os.environ.get("CONVERSATION_RETENTION_SECONDS") or None,
        sqlite_path=os.environ.get("TRACKER_SQLITE_PATH") or "var/trackers.db",
    )


def _event_store_on() -> bool:
    return not event_store.is_off(os.environ.get("EVENT_STORE_URL"))


def conversations_of(member_id: str, store: Any) -> List[str]:
    ref = member_ref(member_id)
    found = set(store.sender_ids_for_member(ref))
    if _event_store_on():
        found |= set(event_store.sender_ids_for_member(ref))
    return sorted(found)


async def export(senders: List[str], store: Any) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    stored_events = event_store.export_events(senders) if _event_store_on() else {}
    for sender in senders:
        tracker = await store.retrieve_full_tracker(sender)
        out[sender] = {
            "conversation": [e.as_dict() for e in tracker.events] if tracker else [],
            "event_store": stored_events.get(sender, []),
        }
    return out


async def erase(senders: List[str], store: Any, member_id: Optional[str]) -> Dict[str, int]:
    deleted_trackers = 0
    for sender in senders:
        deleted_trackers += bool(await store.delete(sender))
    deleted_events = event_store.delete_events(senders) if _event_store_on() else 0
    if member_id:
        store.forget_member(member_ref(member_id))
    return {"conversations": deleted_trackers, "event_store_events": deleted_events}


async def leftovers(senders: List[str], store: Any, member_id: Optional[str]) -> int:
    left = sum([await store.retrieve_full_tracker(s) is not None for s in senders])
    if _event_store_on():
        left += sum(len(v) for v in event_store.export_events(senders).values())
    if member_id:
        left += len(conversations_of(member_id, store))
    return left


def purge(store: Any) -> Dict[str, Any]:
    # The broker's reading of the setting: 0 keeps conversations for ever, as Redis does.
    retention = retention_seconds()
    result: Dict[str, Any] = {"retention_seconds": retention}
    if retention is None:
        return result
    cutoff = time.time() - retention
    if hasattr(store, "purge_before"):
        result["tracker_conversations"] = store.purge_before(cutoff)
    else:
        result["tracker_conversations"] = "expire on their own (Redis record_exp)"
    if _event_store_on():
        result["event_store_events"] = event_store.purge_events_before(cutoff)
    return result


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("export", "erase"):
        command = sub.add_parser(name)
        who = command.add_mutually_exclusive_group(required=True)
        who.add_argument("--member", help="the member id (as in the member-information system)")
        who.add_argument("--conversation", help="a conversation id")
        if name == "export":
            command.add_argument("--out", help="file to write (default: standard output)")
    sub.add_parser("purge")
    args = parser.parse_args(argv)

    store = tracker_store()
    if args.command == "purge":
        print(json.dumps(purge(store), ensure_ascii=False))
        return 0
    member = (args.member or "").strip() or None
    senders = conversations_of(member, store) if member else [args.conversation]
    if args.command == "export":
        data = {
            "member": member,
            "conversation_ids": senders,
            "exported_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "conversations": asyncio.run(export(senders, store)),
        }
        text = json.dumps(data, ensure_ascii=False, indent=2)
        if args.out:
            Path(args.out).write_text(text)
            print(f"gdpr: {len(senders)} conversation(s) exported to {args.out}", file=sys.stderr)
        else:
            print(text)
        return 0
    deleted = asyncio.run(erase(senders, store, member))
    left = asyncio.run(leftovers(senders, store, member))
    print(json.dumps({"conversation_ids": senders, "deleted": deleted, "left": left}))
    return 0 if left == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
