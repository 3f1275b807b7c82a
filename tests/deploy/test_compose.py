"""deploy/compose.yaml as `docker compose config` reads it: two Rasa replicas behind nginx,
Redis and PostgreSQL, health checks, and each container's variables those of .env.example."""

from __future__ import annotations

import json
import os
import re
import subprocess
from typing import Any, Dict, List, Optional

import pytest
import yaml

from assurbot.action_server import KEY_HEADER
from tests.conftest import ROOT
from tests.deploy.conftest import DEPLOY, read_env_file

OUR_DOCKERFILES = {
    "deploy/rasa.Dockerfile",
    "deploy/actions.Dockerfile",
    "deploy/member_system.Dockerfile",
    "deploy/web.Dockerfile",
}
# Variables of the PostgreSQL container, not of Assurbot: they are not in .env.example.
POSTGRES_ONLY = {"POSTGRES_PASSWORD", "EVENT_DB_PASSWORD"}
# Each secret and the only containers that may hold it: the Rasa replicas face the Internet.
SECRETS = {
    "RASA_API_TOKEN": {"rasa-1", "rasa-2", "web"},
    # the action server requires it of its caller, Rasa (endpoints.yml's action_endpoint.headers)
    "ACTION_SERVER_API_KEY": {"rasa-1", "rasa-2", "actions"},
    "MEMBER_SYSTEM_API_KEY": {"actions", "member-system"},
    "MEMBER_SYSTEM_ADMIN_KEY": {"member-system"},
    # the channel verifies members' tokens to store a pseudonymous member_ref (identity.py)
    "MEMBER_TOKEN_SECRET": {"rasa-1", "rasa-2", "actions", "web"},
    "MEMBER_REF_SECRET": {"rasa-1", "rasa-2"},
    "POSTGRES_PASSWORD": {"postgres", "member-system"},
    "EVENT_DB_PASSWORD": {"postgres", "rasa-1", "rasa-2"},
}


def compose_config(compose_cli: List[str], env_file: Optional[str] = None) -> Dict[str, Any]:
    command = [*compose_cli]
    if env_file:
        command += ["--env-file", env_file]
    command += ["-f", "deploy/compose.yaml", "config", "--format", "json"]
    # A clean environment: the shell's variables would win over --env-file (and `source
    # scripts/env.sh` exports every variable of .env.example).
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "DOCKER_CONFIG")}
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def config(compose_cli: List[str]) -> Dict[str, Any]:
    """The configuration without deploy/.env.compose: it must be accepted as it is."""
    return compose_config(compose_cli)


@pytest.fixture(scope="module")
def config_with_secrets(compose_cli: List[str]) -> Dict[str, Any]:
    return compose_config(compose_cli, "deploy/.env.compose.example")


def ours(config: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    """The services built from our Dockerfiles."""
    return {
        name: service
        for name, service in config["services"].items()
        if service.get("build", {}).get("dockerfile") in OUR_DOCKERFILES
    }


def rasa_services(config: Dict[str, Any]) -> List[str]:
    return sorted(
        name
        for name, service in config["services"].items()
        if service.get("build", {}).get("dockerfile") == "deploy/rasa.Dockerfile"
    )


def parse_nginx(text: str) -> List[Any]:
    """deploy/nginx.conf as a tree: [directive, arguments, children or None]."""
    tokens = re.findall(r'"[^"]*"|[{};]|[^\s{};]+', re.sub(r"#[^\n]*", "", text))

    def block(position: int) -> Any:
        items, words = [], []
        while position < len(tokens):
            token = tokens[position]
            position += 1
            if token == ";":
                items.append([words[0], words[1:], None])
                words = []
            elif token == "{":
                children, position = block(position)
                items.append([words[0], words[1:], children])
                words = []
            elif token == "}":
                return items, position
            else:
                words.append(token)
        return items, position

    return block(0)[0]


NGINX = parse_nginx((DEPLOY / "nginx.conf").read_text())


def upstreams() -> Dict[str, List[Any]]:
    return {args[0]: body for name, args, body in NGINX if name == "upstream"}


def servers() -> Dict[str, List[Any]]:
    """Server blocks by the port they listen on."""
    found = {}
    for name, _, body in NGINX:
        if name == "server":
            port = next(args[0] for d, args, _ in body if d == "listen")
            found[port] = body
    return found


def locations(server: List[Any]) -> Dict[str, List[Any]]:
    return {args[-1]: body for name, args, body in server if name == "location"}


def directives(body: List[Any], name: str) -> List[List[str]]:
    return [args for directive, args, _ in body if directive == name]


def test_compose_accepts_the_file_with_and_without_the_secrets_file(config, config_with_secrets):
    assert config["name"] == "assurbot"
    assert set(config["services"]) == set(config_with_secrets["services"])


def test_two_rasa_replicas_run_the_same_image_behind_the_load_balancer(config):
    replicas = rasa_services(config)
    assert len(replicas) == 2
    first, second = (config["services"][name] for name in replicas)
    assert first["image"] == second["image"] and first["build"] == second["build"]
    lb = config["services"]["lb"]
    assert lb["image"].startswith("nginx:")
    assert [v["target"] for v in lb["volumes"]] == ["/etc/nginx/conf.d/default.conf"]
    assert lb["volumes"][0]["source"] == str(DEPLOY / "nginx.conf")
    for name in replicas:
        assert lb["depends_on"][name]["condition"] == "service_healthy"
        assert "ports" not in config["services"][name], "only the load balancer is published"
    assert upstreams(), "deploy/nginx.conf has no upstream"
    for body in upstreams().values():
        targets = [args[0] for args in directives(body, "server")]
        assert sorted(targets) == [f"{name}:5005" for name in replicas]


def test_socketio_is_sticky_and_upgraded_to_websocket():
    socket = locations(servers()["5005"])["/socket.io/"]
    upstream = directives(socket, "proxy_pass")[0][0].removeprefix("http://")
    balancing = {d for d, _, _ in upstreams()[upstream]}
    assert balancing & {"ip_hash", "hash"}, (
        "long-polling needs all of a client's requests on one replica"
    )
    assert ["1.1"] in directives(socket, "proxy_http_version")
    assert ["Upgrade", "$http_upgrade"] in directives(socket, "proxy_set_header")
    assert ["Connection", "$connection_upgrade"] in directives(socket, "proxy_set_header")


def test_only_the_chat_paths_are_public(config):
    public = [p["published"] for s in config["services"].values() for p in s.get("ports", [])]
    assert sorted(public) == ["5005", "8080"]
    assert config["services"]["lb"]["ports"][0]["target"] == 5005
    public_paths = locations(servers()["5005"])
    assert {"/socket.io/", "/webhooks/"} <= set(public_paths)
    assert ["404"] in directives(public_paths["/"], "return"), "Rasa's HTTP API is not public"
    # the web server reaches the API on the load balancer's other, unpublished port
    internal = {p for p in servers() if p != "5005"}
    assert config["services"]["web"]["environment"]["RASA_URL"] in {
        f"http://lb:{port}" for port in internal
    }


def test_rasa_uses_redis_and_is_ready_only_with_its_dependencies(config):
    for name in rasa_services(config):
        service = config["services"][name]
        assert service["environment"]["REDIS_URL"] == "redis://redis:6379/0"
        assert service["environment"]["ACTION_SERVER_URL"] == "http://actions:5055/webhook"
        assert "/webhooks/rest/ready" in service["healthcheck"]["test"]
        assert set(service["depends_on"]) >= {"redis", "actions", "member-system"}


def test_rasa_presents_the_key_the_action_server_requires(config_with_secrets):
    services = config_with_secrets["services"]
    actions = services["actions"]["environment"]
    # reachable from the other containers; it refuses to start without its key
    assert actions["ACTION_SERVER_HOST"] == "0.0.0.0"
    key = read_env_file(DEPLOY / ".env.compose.example")["ACTION_SERVER_API_KEY"]
    assert actions["ACTION_SERVER_API_KEY"] == key
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    header = endpoints["action_endpoint"]["headers"][KEY_HEADER]
    variables = re.findall(r"\$\{(\w+)\}", header)
    assert variables == ["ACTION_SERVER_API_KEY"], header
    for name in rasa_services(config_with_secrets):
        # unset, the Rasa image would fall back on .env.example's development key
        assert services[name]["environment"][variables[0]] == key, name


def test_redis_keeps_an_append_only_file_on_a_volume(config):
    redis = config["services"]["redis"]
    command = redis["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert command[command.index("--appendfsync") + 1] in ("always", "everysec")
    assert [(v["type"], v["target"]) for v in redis["volumes"]] == [("volume", "/data")]


def test_the_member_system_uses_postgresql_on_a_volume(config_with_secrets):
    services = config_with_secrets["services"]
    postgres = services["postgres"]
    assert postgres["image"].startswith("postgres:")
    assert ("volume", "/var/lib/postgresql/data") in [
        (v["type"], v["target"]) for v in postgres["volumes"]
    ]
    member = services["member-system"]
    password = postgres["environment"]["POSTGRES_PASSWORD"]
    assert member["environment"]["MEMBER_DB_URL"] == (
        f"postgresql://assurbot:{password}@postgres:5432/assurbot"
    )
    assert member["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_every_service_has_a_health_check_and_waits_for_healthy_ones(config):
    for name, service in config["services"].items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"
        for dependency, how in service.get("depends_on", {}).items():
            assert how["condition"] == "service_healthy", f"{name} -> {dependency}"
            assert "healthcheck" in config["services"][dependency]


def test_our_containers_get_only_variables_of_env_example(config, env_example_keys):
    services = ours(config)
    assert set(services) == {"rasa-1", "rasa-2", "actions", "member-system", "web"}
    for name, service in services.items():
        unknown = set(service["environment"]) - env_example_keys
        assert not unknown, f"{name}: {sorted(unknown)} are not in .env.example"


def test_the_secrets_file_example_names_only_known_variables(env_example_keys):
    example = read_env_file(DEPLOY / ".env.compose.example")
    assert set(example) - env_example_keys <= POSTGRES_ONLY
    used = set(re.findall(r"\$\{(\w+)", (DEPLOY / "compose.yaml").read_text()))
    assert set(example) <= used, "a variable of the example that compose.yaml never reads"
    assert used <= set(example), "a variable compose.yaml reads that the example does not show"


def test_each_secret_reaches_only_the_containers_that_need_it(config_with_secrets):
    example = read_env_file(DEPLOY / ".env.compose.example")
    for secret, services in SECRETS.items():
        value = example[secret]
        assert value.startswith("change-me"), f"{secret}: the example holds no real secret"
        holders = {
            name
            for name, service in config_with_secrets["services"].items()
            if any(value in str(v) for v in (service.get("environment") or {}).values())
        }
        assert holders == services, secret


def test_no_secret_has_a_value_in_compose_yaml():
    text = (DEPLOY / "compose.yaml").read_text()
    for secret in SECRETS:
        defaults = re.findall(rf"\$\{{{secret}(?::?-([^}}]*))?\}}", text)
        assert defaults, f"{secret} is not read from the environment"
        assert set(defaults) == {""}, f"{secret} has a default in compose.yaml"


def test_the_secrets_file_is_never_committed():
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "deploy/.env.compose"], cwd=ROOT, check=False
    )
    assert ignored.returncode == 0, "deploy/.env.compose is not git-ignored"
    assert "deploy/.env.compose" in (ROOT / ".dockerignore").read_text()
