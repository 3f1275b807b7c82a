"""Create and fill the member database.

    python -m member_system.seed            # seed if the database is empty
    python -m member_system.seed --reset    # drop everything (audit log, tickets too) and re-seed

The service calls `ensure_seeded` on start, so a fresh checkout needs no separate step.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy import delete, insert
from sqlalchemy.engine import Engine

from member_system import db
from member_system.config import Config, ConfigError, load_config
from member_system.generator import generate

log = logging.getLogger("member_system.seed")


def _prepare_sqlite_path(db_url: str) -> None:
    prefix = "sqlite:///"
    if db_url.startswith(prefix) and db_url != "sqlite:///:memory:":
        Path(db_url[len(prefix) :]).parent.mkdir(parents=True, exist_ok=True)


def seed(
    engine: Engine, seed_value: int, reference_date: date, count: int
) -> dict[str, int | float]:
    """Insert a generated dataset into empty tables; returns row counts and the time taken."""
    started = time.perf_counter()
    data = generate(seed_value, reference_date, count)
    generated = time.perf_counter()
    counts: dict[str, int | float] = {}
    with engine.begin() as conn:
        for table in db.SEEDED_TABLES:
            rows = data.rows.get(table.name, [])
            if rows:
                conn.execute(insert(table), rows)
            counts[table.name] = len(rows)
        meta = {
            "seed": str(seed_value),
            "reference_date": reference_date.isoformat(),
            "member_count": str(count),
            "seeded_at": datetime.now(timezone.utc).replace(tzinfo=None).isoformat(),
        }
        conn.execute(delete(db.meta))
        conn.execute(insert(db.meta), [{"key": k, "value": v} for k, v in meta.items()])
    counts["generate_seconds"] = round(generated - started, 3)
    counts["total_seconds"] = round(time.perf_counter() - started, 3)
    return counts


def ensure_seeded(
    engine: Engine, config: Config, reset: bool = False, reference_date: date | None = None
) -> dict[str, int | float] | None:
    """Create the tables and seed them if there is no member yet (or always, with `reset`)."""
    if reset:
        db.drop_schema(engine, config.db_schema)
    db.create_schema(engine, config.db_schema)
    if db.member_count(engine) and not reset:
        return None
    counts = seed(engine, config.seed, reference_date or date.today(), config.member_count)
    log.info(
        "seeded %s members (%s reimbursements) in %.2f s",
        counts["ms_member"],
        counts["ms_reimbursement"],
        counts["total_seconds"],
    )
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m member_system.seed", description=__doc__)
    parser.add_argument("--reset", action="store_true", help="drop all data and seed again")
    parser.add_argument(
        "--reference-date",
        type=date.fromisoformat,
        default=None,
        help="the 'today' of the generated histories (YYYY-MM-DD; default: today)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        config = load_config()
    except ConfigError as exc:
        print(f"member_system.seed: {exc}", file=sys.stderr)
        return 2
    _prepare_sqlite_path(config.db_url)
    engine = db.make_engine(config.db_url, config.db_schema)
    counts = ensure_seeded(engine, config, reset=args.reset, reference_date=args.reference_date)
    if counts is None:
        print("member_system.seed: the database already has members; use --reset to re-seed.")
        return 0
    print(
        f"member_system.seed: {counts['ms_member']} members, "
        f"{counts['ms_reimbursement']} reimbursements in {counts['total_seconds']} s "
        f"(seed {config.seed})."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
