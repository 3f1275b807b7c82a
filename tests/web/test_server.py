"""web/server.py without a browser or Rasa: demo login, feedback, configuration, headers."""

from __future__ import annotations

import json
import re
from typing import List

import httpx
import pytest
from starlette.testclient import TestClient

from member_system.personas import PERSONA_IDS
from member_system.token import verify_token
from tests.conftest import ROOT
from web.server import DEMO_TOKEN_TTL, Settings, create_app

CONVERSATION = "0123456789abcdef0123456789abcdef"


class FakeRasa:
    """Stands in for Rasa's HTTP API; remembers the requests it got."""

    def __init__(self, status: int = 200):
        self.status = status
        self.requests: List[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.status, json={"sender_id": CONVERSATION})


def client(rasa: FakeRasa | None = None, **settings) -> TestClient:
    defaults = dict(rasa_port=5005, rasa_url="http://rasa:5005", rasa_api_token="secret-token")
    app = create_app(
        Settings(**{**defaults, **settings}),
        transport=httpx.MockTransport(rasa or FakeRasa()),
    )
    return TestClient(app)


def test_the_personas_are_listed_with_a_one_line_description():
    personas = client().get("/demo/personas").json()
    assert [p["id"] for p in personas] == list(PERSONA_IDS)
    lea = next(p for p in personas if p["id"] == "P-LEA-SANS-MT")
    assert lea["name"] == "Léa Dubois"
    assert "médecin traitant" in lea["description"] and "\n" not in lea["description"]


def test_a_demo_persona_gets_a_short_lived_token(monkeypatch):
    monkeypatch.delenv("MEMBER_TOKEN_SECRET", raising=False)
    answer = client().post("/demo/login", json={"member_id": "P-LEA-SANS-MT"})
    assert answer.status_code == 200
    body = answer.json()
    assert verify_token(body["token"]) == "P-LEA-SANS-MT"
    assert body["name"] == "Léa Dubois"
    assert DEMO_TOKEN_TTL <= 3600
    assert answer.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "body, status",
    [
        ({"member_id": "M-000001"}, 403),  # an existing-looking id that is not a demo persona
        ({"member_id": "p-lea-sans-mt"}, 403),
        ({"member_id": ""}, 400),
        ({"member_id": 7}, 400),
        ({}, 400),
        ([], 400),
    ],
)
def test_no_token_for_any_other_id(body, status):
    answer = client().post("/demo/login", json=body)
    assert answer.status_code == status
    assert "token" not in answer.json()


def test_the_login_takes_json_only():
    # A plain HTML form from another site cannot log anyone in.
    answer = client().post("/demo/login", data={"member_id": "P-LEA-SANS-MT"})
    assert answer.status_code == 400


def test_the_demo_login_can_be_turned_off():
    web = client(demo_login=False)
    assert web.get("/demo/personas").status_code == 404
    assert web.post("/demo/login", json={"member_id": "P-LEA-SANS-MT"}).status_code == 404
    assert web.get("/config.json").json()["demo_login"] is False


def test_feedback_becomes_a_slot_event_in_the_conversation():
    rasa = FakeRasa()
    answer = client(rasa).post(
        "/feedback", json={"sender_id": CONVERSATION, "rating": "up", "message_index": 2}
    )
    assert answer.status_code == 200
    [request] = rasa.requests
    assert request.method == "POST"
    assert request.url.path == f"/conversations/{CONVERSATION}/tracker/events"
    assert request.url.params["token"] == "secret-token"
    event = json.loads(request.content)
    assert event["event"] == "slot" and event["name"] == "feedback" and event["value"] == "up"
    assert event["metadata"]["message_index"] == 2


@pytest.mark.parametrize(
    "body",
    [
        {"sender_id": CONVERSATION, "rating": "meh", "message_index": 0},
        {"sender_id": "../../status", "rating": "up", "message_index": 0},
        {"sender_id": CONVERSATION, "rating": "up", "message_index": -1},
        {"sender_id": CONVERSATION, "rating": "up", "message_index": True},
        {"sender_id": CONVERSATION, "rating": "up"},
        ["up"],
    ],
)
def test_malformed_feedback_is_refused_before_reaching_rasa(body):
    rasa = FakeRasa()
    assert client(rasa).post("/feedback", json=body).status_code == 400
    assert rasa.requests == []


def test_feedback_without_rasa_gives_503():
    body = {"sender_id": CONVERSATION, "rating": "down", "message_index": 0}
    assert client(rasa_api_token="").post("/feedback", json=body).status_code == 503
    assert client(FakeRasa(status=401)).post("/feedback", json=body).status_code == 503


def test_the_page_learns_where_rasa_is():
    assert client().get("/config.json").json()["socket_url"] == "http://testserver:5005"
    public = client(rasa_public_url="https://chat.example.org")
    assert public.get("/config.json").json()["socket_url"] == "https://chat.example.org"


def test_pages_are_served_with_a_strict_content_security_policy():
    web = client()
    for path in ("/", "/compte"):
        page = web.get(path)
        assert page.status_code == 200 and 'lang="fr"' in page.text
        policy = page.headers["content-security-policy"]
        assert "script-src 'self';" in policy
        assert "ws://testserver:5005" in policy
    assert web.get("/static/chat.js").status_code == 200


def test_the_page_loads_nothing_from_another_site():
    html = (ROOT / "web" / "static" / "index.html").read_text()
    assert not re.search(r"""(src|href)=["']https?://""", html)


def test_the_widget_never_inserts_text_as_html():
    script = (ROOT / "web" / "static" / "chat.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script, sink
