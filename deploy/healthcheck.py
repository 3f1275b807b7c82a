"""Health check of a container: `python deploy/healthcheck.py PORT_VARIABLE DEFAULT_PORT PATH`.

Exits 0 when http://127.0.0.1:$PORT_VARIABLE/PATH answers 200, 1 otherwise. The images are
python:3.10-slim, which has no curl; the port follows the service's variable, as the service does.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request


def main(argv: list[str]) -> int:
    variable, default_port, path = argv
    port = os.environ.get(variable, "").strip() or default_port
    url = f"http://127.0.0.1:{port}{path}"
    try:
        with urllib.request.urlopen(url, timeout=5) as reply:
            return 0 if reply.status == 200 else 1
    except (urllib.error.URLError, OSError) as error:
        print(f"healthcheck: {url}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
