"""`python -m member_system`: create and seed the database if needed, then serve the API."""

from __future__ import annotations

import logging
import sys

import uvicorn

from member_system import db
from member_system.app import create_app
from member_system.config import ConfigError, load_config
from member_system.seed import _prepare_sqlite_path, ensure_seeded

log = logging.getLogger("member_system")


def main() -> int:
    try:
        config = load_config()
    except ConfigError as exc:
        print(f"member_system: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=config.log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s"
    )
    if config.uses_dev_keys:
        log.warning(
            "using the development service/admin keys: anyone can read the data; set "
            "MEMBER_SYSTEM_API_KEY and MEMBER_SYSTEM_ADMIN_KEY outside a developer machine"
        )
    _prepare_sqlite_path(config.db_url)
    engine = db.make_engine(config.db_url, config.db_schema)
    counts = ensure_seeded(engine, config)
    if counts:
        log.info(
            "database seeded: %s members in %.2f s", counts["ms_member"], counts["total_seconds"]
        )
    app = create_app(config, engine)
    uvicorn.run(
        app,
        host=config.host,
        port=config.port,
        log_level=config.log_level,
        access_log=config.log_level == "debug",
        # No websockets here; "auto" would import the websockets package, whose version pinned
        # by Rasa does not match what uvicorn expects.
        ws="none",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
