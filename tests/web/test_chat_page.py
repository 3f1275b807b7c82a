"""The website chat as a member uses it, in Chromium, against the running stack."""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Tuple

import pytest
from playwright.sync_api import Page, WebSocketRoute, expect

from tests.web.conftest import ARTIFACTS, Chat, Web

pytestmark = pytest.mark.integration

SOCKET = re.compile(r".*/socket\.io/.*")


def record_frames(page: Page) -> List[Dict[str, Any]]:
    """The user_uttered payloads the page sends to Rasa (call before the page opens)."""
    sent: List[Dict[str, Any]] = []

    def route(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def from_page(message: str | bytes) -> None:
            if isinstance(message, str) and message.startswith('42["user_uttered"'):
                sent.append(json.loads(message[2:])[1])
            server.send(message)

        ws.on_message(from_page)

    page.route_web_socket(SOCKET, route)
    return sent


def require_api(web: Web) -> None:
    if not web.rasa_api_token:
        pytest.fail(
            "RASA_API_TOKEN is not set for the stack: Rasa must run with --enable-api "
            "--auth-token (set it in .env.example) to record thumbs up/down"
        )


def test_a_question_gets_its_answer(open_chat):
    chat: Chat = open_chat("/")
    expect(chat.bot_turns.first).to_contain_text("Bonjour, je suis Assurbot")
    answer = chat.say("es-tu un robot ?")
    expect(chat.user_bubbles.last).to_have_text("es-tu un robot ?")
    expect(answer).to_contain_text("Je suis un assistant virtuel, pas une personne.")
    expect(chat.page.locator("html")).to_have_attribute("lang", "fr")


def test_the_typing_indicator_shows_while_assurbot_writes(web: Web, new_page):
    page = new_page()
    held: List[Tuple[WebSocketRoute, str]] = []

    def route(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def from_page(message: str | bytes) -> None:
            if isinstance(message, str) and "es-tu un robot" in message:
                held.append((server, message))  # held back until the indicator is checked
            else:
                server.send(message)

        ws.on_message(from_page)

    page.route_web_socket(SOCKET, route)
    page.goto(web.url + "/")
    chat = Chat(page)
    chat.wait_for_bot_turns(1)
    expect(page.locator("#typing")).to_have_text("")
    page.fill("#chat-input", "es-tu un robot ?")
    page.press("#chat-input", "Enter")
    expect(page.locator("#typing")).to_have_text("Assurbot écrit…")
    page.screenshot(path=str(_artifact("typing_indicator.png")))
    assert len(held) == 1
    server, message = held.pop()
    server.send(message)
    expect(chat.wait_for_bot_turns(2)).to_contain_text("assistant virtuel")
    expect(page.locator("#typing")).to_have_text("")


def test_clicking_a_button_sends_its_payload_and_shows_its_title(web: Web, new_page):
    page = new_page()
    sent = record_frames(page)
    page.goto(web.url + "/")
    chat = Chat(page)
    welcome = chat.wait_for_bot_turns(1)
    welcome.get_by_role("button", name="Ma carte Vitale").click()
    expect(chat.user_bubbles.last).to_have_text("Ma carte Vitale")
    expect(chat.wait_for_bot_turns(2)).to_contain_text("carte Vitale")
    assert sent[-1]["message"] == "/check_vitale_card"
    # The buttons of an answer already used can no longer be pressed.
    expect(welcome.get_by_role("button", name="Ma carte Vitale")).to_be_disabled()
    expect(page.locator("#chat-input")).to_be_focused()


def test_ask_human_and_links_that_open_in_a_new_window(open_chat):
    chat: Chat = open_chat("/")
    chat.page.get_by_role("button", name="Parler à un conseiller").first.click()
    expect(chat.user_bubbles.last).to_have_text("Parler à un conseiller")
    answer = chat.wait_for_bot_turns(2)
    expect(answer).to_contain_text("3646")
    link = answer.get_by_role("link", name=re.compile("Contacter l'Assurance Maladie"))
    expect(link).to_have_attribute("href", "https://www.ameli.fr/assure/adresses-et-contacts")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener")
    expect(answer).not_to_contain_text("](")  # no Markdown left showing


def test_a_journey_page_opens_the_conversation_on_its_subject(open_chat):
    chat: Chat = open_chat("/?journey=vaccination")
    expect(chat.bot_turns.first).to_contain_text("vaccination")
    expect(chat.user_bubbles).to_have_count(0)  # the opening is not shown as the member's


def test_the_conversation_survives_a_reload_and_a_new_session_starts_afresh(web: Web, open_chat):
    require_api(web)
    chat: Chat = open_chat("/")
    chat.say("es-tu un robot ?")
    conversation = chat.conversation_id()
    before = chat.page.locator("#messages").inner_text()

    chat.page.reload()
    expect(chat.bot_turns).to_have_count(2)
    assert chat.page.locator("#messages").inner_text() == before
    assert chat.conversation_id() == conversation
    expect(chat.say("bonjour")).to_contain_text("Bonjour")
    expect(chat.bot_turns).to_have_count(3)  # no second welcome after the reload
    said = [e.get("text") for e in web.tracker_events(conversation) if e["event"] == "user"]
    assert said == ["/session_start", "es-tu un robot ?", "bonjour"]

    fresh: Chat = open_chat("/")  # a new browser session
    assert fresh.conversation_id() != conversation
    expect(fresh.user_bubbles).to_have_count(0)


def test_a_logged_in_member_gets_a_personal_answer(web: Web, new_page):
    page = new_page()
    sent = record_frames(page)
    page.goto(web.url + "/compte")
    chat = Chat(page)
    chat.wait_for_bot_turns(1)
    page.get_by_label("Assuré fictif").select_option("P-LEA-SANS-MT")
    expect(page.locator("#persona-description")).to_contain_text("Aucun médecin traitant")
    page.get_by_role("button", name="Me connecter").click()
    expect(page.locator("#logged-in")).to_contain_text("Léa Dubois")
    expect(page.locator("#chat-input")).to_be_focused()

    answer = chat.say("qui est mon médecin traitant ?")
    expect(answer).to_contain_text("pas déclaré de médecin traitant")
    answer.get_by_role("button", name="Déclarer un médecin traitant").click()
    chat.wait_for_bot_turns(3)
    after_login = sent[1:]  # sent[0] opened the conversation, before the login
    assert [m["message"] for m in after_login] == ["qui est mon médecin traitant ?", "/declare_gp"]
    assert all(m["metadata"].get("auth_token") for m in after_login)
    page.screenshot(path=str(_artifact("logged_in_personal_answer.png")), full_page=True)

    # Logging out hides what was said and starts a new conversation, without the token.
    conversation = chat.conversation_id()
    page.get_by_role("button", name="Me déconnecter").click()
    expect(page.get_by_label("Assuré fictif")).to_be_visible()
    chat.wait_for_bot_turns(1)
    expect(chat.user_bubbles).to_have_count(0)
    assert chat.conversation_id() != conversation
    chat.say("qui est mon médecin traitant ?")
    assert "auth_token" not in sent[-1]["metadata"]


def test_markup_typed_by_a_member_shows_as_text(open_chat):
    chat: Chat = open_chat("/")
    typed = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
    chat.say(typed)
    expect(chat.user_bubbles.last).to_have_text(typed)
    expect(chat.page.locator("#messages script, #messages img")).to_have_count(0)
    assert chat.page.evaluate("() => window.__pwned") is None
    chat.page.reload()  # re-rendered from sessionStorage: still text
    expect(chat.user_bubbles.last).to_have_text(typed)
    expect(chat.page.locator("#messages script, #messages img")).to_have_count(0)


def test_markup_from_the_bot_shows_as_text_and_only_web_links_become_links(web: Web, new_page):
    page = new_page()
    sockets: List[WebSocketRoute] = []

    def route(ws: WebSocketRoute) -> None:
        ws.connect_to_server()
        sockets.append(ws)

    page.route_web_socket(SOCKET, route)
    page.goto(web.url + "/")
    chat = Chat(page)
    chat.wait_for_bot_turns(1)
    text = "<b>gras</b> [piège](javascript:alert(1)) et [Ameli](https://www.ameli.fr/)"
    sockets[-1].send("42" + json.dumps(["bot_uttered", {"text": text}]))
    bubble = page.locator(".bubble-bot").last
    expect(bubble).to_contain_text("<b>gras</b> [piège](javascript:alert(1)) et Ameli")
    expect(bubble.locator("b")).to_have_count(0)
    expect(bubble.locator("a")).to_have_count(1)
    expect(bubble.locator("a")).to_have_attribute("href", "https://www.ameli.fr/")


def _focused(page: Page) -> Dict[str, Any]:
    return page.evaluate(
        """() => {
            const e = document.activeElement, s = getComputedStyle(e);
            return {id: e.id, text: e.textContent.trim(), tag: e.tagName,
                    outline: s.outlineStyle, width: parseFloat(s.outlineWidth)};
        }"""
    )


def test_keyboard_alone(open_chat):
    chat: Chat = open_chat("/")
    page = chat.page
    page.keyboard.press("Tab")
    assert _focused(page)["text"] == "Aller directement au champ de message"
    expect(page.locator(".skip-link")).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert _focused(page)["id"] == "chat-input"
    page.keyboard.type("es-tu un robot ?")
    page.keyboard.press("Enter")
    answer = chat.wait_for_bot_turns(2)
    expect(answer).to_contain_text("assistant virtuel")
    # Back from the input: thumbs down, thumbs up, then the answer's button.
    for _ in range(3):
        page.keyboard.press("Shift+Tab")
    focused = _focused(page)
    assert focused["text"] == "Parler à un conseiller" and focused["tag"] == "BUTTON"
    assert focused["outline"] != "none" and focused["width"] >= 2  # the focus is visible
    page.screenshot(path=str(_artifact("keyboard_focus.png")))
    page.keyboard.press("Enter")
    expect(chat.user_bubbles.last).to_have_text("Parler à un conseiller")
    expect(chat.wait_for_bot_turns(3)).to_contain_text("3646")


def test_readable_at_320_pixels_wide(open_chat):
    chat: Chat = open_chat("/", width=320, height=640)
    chat.page.get_by_role("button", name="Parler à un conseiller").first.click()
    expect(chat.wait_for_bot_turns(2)).to_contain_text("3646")
    width = chat.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 320, f"the page scrolls sideways at 320 px ({width} px wide)"
    for selector in ("#chat-input", "#send-button", "#ask-human"):
        box = chat.page.locator(selector).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 320, selector


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _axe_problems(page: Page, axe_source: str) -> List[str]:
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_no_serious_or_critical_accessibility_violation(open_chat, axe_source):
    # bypass_csp: axe-core is injected into the page; the page itself allows no inline script.
    public: Chat = open_chat("/", bypass_csp=True)
    public.page.get_by_role("button", name="Parler à un conseiller").first.click()
    expect(public.wait_for_bot_turns(2)).to_contain_text("3646")
    assert _axe_problems(public.page, axe_source) == []

    account: Chat = open_chat("/compte", bypass_csp=True)
    assert _axe_problems(account.page, axe_source) == []
    account.page.get_by_role("button", name="Me connecter").click()
    expect(account.page.locator("#logged-in")).to_be_visible()
    account.say("qui est mon médecin traitant ?")
    assert _axe_problems(account.page, axe_source) == []


def test_thumbs_are_stored_in_the_conversation(web: Web, open_chat):
    require_api(web)
    chat: Chat = open_chat("/")
    answer = chat.say("es-tu un robot ?")
    useful = answer.get_by_role("button", name="Réponse utile", exact=True)
    useful.click()
    expect(useful).to_have_attribute("aria-pressed", "true")
    expect(chat.page.locator("#chat-status")).to_have_text("Merci pour votre avis.")
    not_useful = answer.get_by_role("button", name="Réponse pas utile")
    not_useful.click()
    expect(not_useful).to_have_attribute("aria-pressed", "true")
    expect(useful).to_have_attribute("aria-pressed", "false")

    events = web.tracker_events(chat.conversation_id())
    feedback = [e for e in events if e["event"] == "slot" and e["name"] == "feedback"]
    assert [e["value"] for e in feedback] == ["up", "down"]
    # The index of the answer in the conversation: welcome (0), question (1), answer (2).
    assert {e["metadata"]["message_index"] for e in feedback} == {2}


def _artifact(name: str):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name


def test_an_answer_shows_its_source_and_check_date_once(open_chat):
    chat: Chat = open_chat("/")
    answer = chat.say("perte carte vitale démarche")  # one of the article's own questions
    source = answer.locator(".answer-source")
    expect(source).to_have_count(1)
    expect(source).to_have_text(
        re.compile(r"^Source : [a-z.\-]+\.(fr|gouv\.fr), vérifiée le \d{1,2}(er)? [a-zéû]+ \d{4}$")
    )
    # under the answer's last bubble, before the buttons and the thumbs
    expect(answer.locator(".bubble-bot + .answer-source")).to_have_count(1)
    chat.page.screenshot(path=str(_artifact("answer_with_source.png")), full_page=True)
