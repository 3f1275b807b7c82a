"""What jsonschema costs Rasa per custom action, with jsonschema 4.17 (installed) and 3.2.

RasaHQ/rasa#11717 reports Rasa 70–80 % slower per message with jsonschema 4.x. The call
behind it: Rasa validates every action server reply with ``jsonschema.validate(result,
spec)`` (rasa/core/actions/action.py, RemoteAction._validate_action_result), and 4.x's
``validate`` re-checks the schema itself on every call. This measures that one call with a
typical reply of our action server, under the installed 4.17.3 and under 3.2.0 (installed
into var/jsonschema-3.2 for the measurement only), and with a validator built once
(what ``assurbot.speed`` does).

    python -m benchmarks.jsonschema_validation
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Dict

ROOT = Path(__file__).resolve().parent.parent
OLD = ROOT / "var" / "jsonschema-3.2"

REPLY = {
    "events": [
        {"event": "slot", "timestamp": None, "name": "journey", "value": "account"},
        {"event": "slot", "timestamp": None, "name": "feedback", "value": None},
    ],
    "responses": [
        {
            "text": "Votre remboursement du 12 novembre 2026 (consultation) a été payé : 26,50 €.",
            "buttons": [{"title": "Voir mes remboursements", "payload": "/check_reimbursement"}],
            "elements": [],
            "custom": {},
            "template": None,
            "response": None,
            "image": None,
            "attachment": None,
        }
    ],
}

PROBE = r"""
import json, sys, time
import jsonschema
spec, reply, mode = json.loads(sys.stdin.read())
n = 2000
if mode == "validator":
    cls = jsonschema.validators.validator_for(spec)
    validator = cls(spec)
    check = lambda: validator.validate(reply)
else:
    check = lambda: jsonschema.validate(reply, spec)
for _ in range(50):
    check()
started = time.perf_counter()
for _ in range(n):
    check()
print(json.dumps({"version": jsonschema.__version__,
                  "us_per_call": round(1e6 * (time.perf_counter() - started) / n, 1)}))
"""


def _spec() -> Dict:
    from rasa.core.actions.action import RemoteAction

    return RemoteAction.action_response_format_spec()


def _run(mode: str, extra_path: str = "") -> Dict:
    env = {"PYTHONPATH": extra_path} if extra_path else {}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        input=json.dumps([_spec(), REPLY, mode]),
        capture_output=True,
        text=True,
        env={**__import__("os").environ, **env},
        check=True,
    )
    return json.loads(result.stdout)


def _install_old() -> str:
    if not (OLD / "jsonschema").exists():
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "--target", str(OLD),
             "jsonschema==3.2.0", "pyrsistent==0.20.0", "attrs==23.2.0", "six==1.16.0"],
            check=True, capture_output=True,
        )  # fmt: skip
    return str(OLD)


def measure_all() -> Dict[str, str]:
    new = _run("validate")
    cached = _run("validator")
    out = {
        f"jsonschema {new['version']} validate()": f"{new['us_per_call']} µs per reply",
        f"jsonschema {cached['version']}, validator built once": (
            f"{cached['us_per_call']} µs per reply"
        ),
    }
    try:
        old = _run("validate", _install_old())
        out[f"jsonschema {old['version']} validate()"] = f"{old['us_per_call']} µs per reply"
    except subprocess.CalledProcessError as error:
        out["jsonschema 3.2.0"] = f"not measured: {error.stderr[-200:] if error.stderr else error}"
    return out


if __name__ == "__main__":
    for name, value in measure_all().items():
        print(f"{name}: {value}")
