"""deploy/helm/*-values.yml against RasaHQ's charts as tests/deploy/helm_chart_keys.yml records
them (the charts themselves are not committed), and against our own endpoints and channels."""

from __future__ import annotations

import datetime
import re
from typing import Any, Dict, Iterator, List, Tuple

import pytest
import yaml

from tests.conftest import ROOT
from tests.deploy.conftest import DEPLOY

CHART_KEYS = yaml.safe_load((ROOT / "tests" / "deploy" / "helm_chart_keys.yml").read_text())
CHARTS = CHART_KEYS["charts"]
# Secret values: from the Kubernetes Secret, never written in a values file.
SECRETS = {
    "RASA_API_TOKEN",
    "REDIS_URL",
    "EVENT_STORE_URL",
    "ACTION_SERVER_API_KEY",
    "MEMBER_SYSTEM_API_KEY",
    "MEMBER_TOKEN_SECRET",
    "MEMBER_REF_SECRET",
}
# The secrets each chart's pods get: the Rasa pods face the Internet, and the action server's
# key goes only to the action server and to Rasa, its one caller.
SECRETS_OF = {
    "rasa": {
        "RASA_API_TOKEN",
        "REDIS_URL",
        "EVENT_STORE_URL",
        "ACTION_SERVER_API_KEY",
        # the channel verifies members' tokens to store a pseudonymous member_ref
        "MEMBER_TOKEN_SECRET",
        "MEMBER_REF_SECRET",
    },
    "rasa-action-server": {"ACTION_SERVER_API_KEY", "MEMBER_SYSTEM_API_KEY", "MEMBER_TOKEN_SECRET"},
}
TYPES = {
    "map": dict,
    "list": list,
    "string": str,
    "integer": int,
    "boolean": bool,
}


def values(chart: str) -> Dict[str, Any]:
    return yaml.safe_load((ROOT / CHARTS[chart]["values_file"]).read_text())


def key_paths(node: Dict[str, Any], prefix: str = "") -> Iterator[Tuple[str, Any]]:
    for key, value in node.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        yield path, value
        if isinstance(value, dict):
            yield from key_paths(value, path)


def unknown_keys(values: Dict[str, Any], keys: Dict[str, str]) -> List[str]:
    """Key paths of `values` that the chart does not define, or of another type than its
    default; the keys below an "open" one (copied as they are by the chart) are ours."""
    opened = [path for path, kind in keys.items() if kind.startswith("open ")]
    problems = []
    for path, value in key_paths(values):
        if any(path.startswith(f"{parent}.") for parent in opened):
            continue
        if path not in keys:
            problems.append(f"{path}: not a key of the chart")
            continue
        kind = keys[path].removeprefix("open ")
        expected = TYPES.get(kind)
        is_bool_for_int = kind == "integer" and isinstance(value, bool)
        if expected and (not isinstance(value, expected) or is_bool_for_int):
            problems.append(f"{path}: {type(value).__name__}, the chart has a {kind}")
    return problems


def test_the_chart_record_says_which_charts_and_when():
    assert datetime.date.fromisoformat(str(CHART_KEYS["checked_on"]))
    assert re.fullmatch(r"github\.com/RasaHQ/helm-charts@[0-9a-f]{40}", CHART_KEYS["source"])
    assert set(CHARTS) == {"rasa", "rasa-action-server"}
    for chart in CHARTS.values():
        assert re.fullmatch(r"\d+\.\d+\.\d+", chart["version"])
        assert (ROOT / chart["values_file"]).exists()


@pytest.mark.parametrize("chart", sorted(CHARTS))
def test_every_key_of_the_values_file_is_one_of_the_chart(chart):
    assert unknown_keys(values(chart), CHARTS[chart]["keys"]) == []


def test_a_misspelt_or_mistyped_key_is_caught():
    keys = CHARTS["rasa"]["keys"]
    wrong = {
        "replicaCont": 2,
        "autoscaling": {"enabled": "false"},
        "ingress": {"annotations": {"anything.example/goes": "1"}},
    }
    assert unknown_keys(wrong, keys) == [
        "replicaCont: not a key of the chart",
        "autoscaling.enabled: str, the chart has a boolean",
    ]


@pytest.mark.parametrize("chart", sorted(CHARTS))
def test_two_replicas_of_our_image(chart):
    settings = values(chart)
    assert settings["replicaCount"] == 2
    assert settings["image"]["repository"].endswith(
        {"rasa": "/rasa", "rasa-action-server": "/actions"}[chart]
    )
    assert settings["autoscaling"]["minReplicas"] == settings["replicaCount"]
    assert settings["securityContext"]["runAsNonRoot"] is True


@pytest.mark.parametrize("chart", sorted(CHARTS))
def test_variables_are_those_of_env_example_and_secrets_come_from_the_secret(
    chart, env_example_keys
):
    env = values(chart)["extraEnv"]
    names = [item["name"] for item in env]
    assert len(names) == len(set(names))
    assert set(names) <= env_example_keys
    for item in env:
        if item["name"] in SECRETS:
            assert "value" not in item, f"{item['name']} is written in the values file"
            assert item["valueFrom"]["secretKeyRef"]["name"] == "assurbot-secrets"
        else:
            assert isinstance(item["value"], str), f"{item['name']}: Kubernetes wants a string"
    from_secret = {item["name"] for item in env if "valueFrom" in item}
    assert from_secret == SECRETS_OF[chart]


def secret_keys(chart: str) -> Dict[str, str]:
    """Variable name -> key in the Secret `assurbot-secrets`."""
    return {
        item["name"]: item["valueFrom"]["secretKeyRef"]["key"]
        for item in values(chart)["extraEnv"]
        if "valueFrom" in item
    }


def test_rasa_and_the_action_server_share_one_key_that_the_readme_creates():
    rasa, actions = secret_keys("rasa"), secret_keys("rasa-action-server")
    assert rasa["ACTION_SERVER_API_KEY"] == actions["ACTION_SERVER_API_KEY"]
    readme = (DEPLOY / "README.md").read_text()
    created = set(re.findall(r"--from-literal=([\w-]+)=", readme))
    assert set(rasa.values()) | set(actions.values()) <= created


def test_the_rasa_chart_runs_our_endpoints_and_channels():
    settings = values("rasa")["applicationSettings"]
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    # action_endpoint too, with the key's header: the chart's own would have none
    assert settings["endpoints"]["additionalEndpoints"] == endpoints
    assert endpoints["action_endpoint"]["headers"]
    server = values("rasa")["rasa-action-server"]
    assert server["install"] is False and server["external"]["enabled"] is False, (
        "the chart would write a second action_endpoint, without headers"
    )
    # rasa-run.sh would give an unset variable .env.example's development default
    names = {item["name"] for item in values("rasa")["extraEnv"]}
    action_endpoint = yaml.safe_dump(endpoints["action_endpoint"])
    assert set(re.findall(r"\$\{(\w+)\}", action_endpoint)) <= names
    for store in ("trackerStore", "lockStore", "eventBroker", "models"):
        assert settings["endpoints"][store]["enabled"] is False
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text())
    channels = settings["credentials"]["additionalChannelCredentials"]
    # {} rather than null: Helm drops keys whose value is null
    assert channels == {name: config or {} for name, config in credentials.items()}


def test_the_rasa_pods_load_the_model_of_the_image_and_nothing_else():
    settings = values("rasa")
    assert settings["applicationSettings"]["initialModel"] == ""
    assert settings["applicationSettings"]["trainInitialModel"] is False
    assert settings["applicationSettings"]["endpoints"]["models"]["enabled"] is False
    args = settings["args"]
    assert args[:3] == ["run", "--model", "models"]
    # Kubernetes expands $(VAR) only for variables the container defines
    names = {item["name"] for item in settings["extraEnv"]}
    assert set(re.findall(r"\$\((\w+)\)", " ".join(args))) <= names
    assert args[args.index("--auth-token") + 1] == "$(RASA_API_TOKEN)"
    assert "*" not in args[args.index("--cors") + 1 :]


def test_the_rasa_probes_use_liveness_and_readiness():
    settings = values("rasa")
    assert settings["livenessProbe"]["httpGet"]["path"] == "/webhooks/rest/"
    assert settings["readinessProbe"]["httpGet"]["path"] == "/webhooks/rest/ready"
    for probe in ("livenessProbe", "readinessProbe"):
        assert settings[probe]["httpGet"]["port"] == "http"


def test_a_rasa_pod_is_sized_for_one_worker_of_about_one_and_a_half_gigabytes():
    resources = values("rasa")["resources"]
    assert resources["requests"]["memory"] == "1536Mi"
    limit = resources["limits"]["memory"]
    assert re.fullmatch(r"\d+Gi", limit) and int(limit[:-2]) * 1024 >= 1536


def env_values(chart: str) -> Dict[str, str]:
    return {item["name"]: item["value"] for item in values(chart)["extraEnv"] if "value" in item}


def test_rasa_reaches_the_action_server_of_the_other_chart():
    actions = values("rasa-action-server")
    port = actions["service"]["port"]
    url = env_values("rasa")["ACTION_SERVER_URL"]
    assert url == f"http://{actions['fullnameOverride']}:{port}/webhook"
    assert actions["applicationSettings"]["port"] == 5055
    assert env_values("rasa-action-server")["ACTION_SERVER_HOST"] == "0.0.0.0"
    # the image's CMD (python -m assurbot.action_server) runs, not the chart's
    assert "command" not in actions and "args" not in actions
    for probe in ("livenessProbe", "readinessProbe"):
        assert actions[probe]["httpGet"]["path"] == "/health"


def test_the_autoscaler_beside_the_chart_scales_the_rasa_deployment():
    rasa = values("rasa")
    hpa = yaml.safe_load((DEPLOY / "helm" / "rasa-hpa.yml").read_text())
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"]["name"] == rasa["fullnameOverride"]
    scaling = rasa["autoscaling"]
    # the chart's own autoscaler is autoscaling/v2beta1, gone since Kubernetes 1.25
    assert scaling["enabled"] is False
    assert hpa["spec"]["minReplicas"] == scaling["minReplicas"]
    assert hpa["spec"]["maxReplicas"] == scaling["maxReplicas"]
    target = hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"]
    assert target == scaling["targetCPUUtilizationPercentage"]


def test_socketio_clients_stay_on_one_rasa_pod():
    ingress = values("rasa")["ingress"]
    assert ingress["enabled"] is True
    assert ingress["annotations"]["nginx.ingress.kubernetes.io/affinity"] == "cookie"
