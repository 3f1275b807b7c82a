"""Property-based run over the OpenAPI document (schemathesis) against the running service.

Every operation but /admin/* (whose fault switch would disturb the run) is exercised with
generated valid and invalid requests; member, reimbursement and dependent ids come partly from
real data so that the calls reach the service's logic rather than its 404. The run must find no
server error (5xx), and no other contract violation either (all of schemathesis' checks).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import httpx
import pytest
from ms_service import API_KEY

pytestmark = pytest.mark.integration

MEMBERS = [f"M-{100000 + n}" for n in range(20, 60)]
MAX_EXAMPLES = 20
SEED = 20261124


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def test_no_server_error_over_the_openapi_document(member_service, tmp_path, record_property):
    if importlib.util.find_spec("schemathesis") is None:
        pytest.fail("schemathesis is not installed: pip install schemathesis==4.30.1")
    reimbursements, dependents = [], []
    with httpx.Client(base_url=member_service.url, headers={"X-API-Key": API_KEY}) as api:
        for member_id in MEMBERS:
            page = api.get(f"/v1/members/{member_id}/reimbursements", params={"limit": 5}).json()
            reimbursements += [item["id"] for item in page["items"]]
            dependents += [
                d["id"] for d in api.get(f"/v1/members/{member_id}").json()["dependents"]
            ]
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        f"""
[dictionaries.members]
values = {_toml_list(MEMBERS + ["P-HUGO-DROITS-FERMES"])}

[dictionaries.reimbursements]
values = {_toml_list(reimbursements)}

[dictionaries.dependents]
values = {_toml_list(dependents or ["none"])}

[parameters]
"path.member_id" = {{ dictionary = "members", probability = 0.8 }}
"path.reimbursement_id" = {{ dictionary = "reimbursements", probability = 0.7 }}
"query.beneficiary_id" = {{ dictionary = "dependents", probability = 0.5 }}
""",
        encoding="utf-8",
    )
    report = tmp_path / "report.json"
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(config),
        "--no-color",
        "run",
        f"{member_service.url}/openapi.json",
        "--header",
        f"X-API-Key: {API_KEY}",
        "--checks",
        "all",
        "--exclude-path-regex",
        "^/admin",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        str(SEED),
        "--workers",
        "2",
        "--request-timeout",
        "10",
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    # run in the temporary folder: schemathesis and hypothesis write their caches in the cwd
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=540)
    output = result.stdout[-6000:] + result.stderr[-2000:]
    summary = json.loads(report.read_text(encoding="utf-8"))
    cases = summary["test_cases"]
    record_property("schemathesis_cases", cases["generated"])
    print(f"schemathesis: {cases['generated']} test cases generated, {cases}")
    assert result.returncode == 0, output
    assert summary["failures"] == [] and cases["with_failures"] == 0, output
    assert summary["operations"]["tested"] >= 15
    assert cases["generated"] >= 500
    assert "Traceback" not in member_service.log.read_text()
