"""The website chat in a real browser: Debian's Chromium, driven by Playwright, against the stack.

Never `playwright install` (it downloads a browser of its own, which cannot work here):
`bash scripts/install_web.sh --browser` installs Debian's `chromium` and the page's packages.
Each test gets a new browser context, that is a new browser session, and leaves a screenshot
in tests/artifacts/web/ (git-ignored) to look at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from tests.conftest import ROOT, RunningStack

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "tests" / "artifacts" / "web"
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
REPLY_TIMEOUT_MS = 30_000


@dataclass
class Web:
    url: str
    stack: RunningStack

    @property
    def rasa_api_token(self) -> str:
        return self.stack.env.get("RASA_API_TOKEN", "")

    def tracker_events(self, conversation_id: str) -> List[dict]:
        response = httpx.get(
            f"{self.stack.rasa_url}/conversations/{conversation_id}/tracker",
            params={"token": self.rasa_api_token, "include_events": "ALL"},
            timeout=10,
        )
        response.raise_for_status()
        return response.json()["events"]


@pytest.fixture(scope="session")
def web(stack: RunningStack) -> Web:
    """The page the stack serves, checked to be talking to this stack's Rasa."""
    url = f"http://127.0.0.1:{stack.env.get('WEB_PORT', '8080')}"
    try:
        config = httpx.get(f"{url}/config.json", timeout=5).json()
    except (httpx.HTTPError, ValueError) as error:
        pytest.fail(f"the stack serves no chat page at {url} ({error}): is `web` in the stack?")
    if not str(config.get("socket_url", "")).endswith(f":{stack.env['RASA_PORT']}"):
        pytest.fail(
            f"the page at {url} talks to {config.get('socket_url')}, not to this stack's Rasa "
            f"(port {stack.env['RASA_PORT']}): another server holds WEB_PORT; give the stack a "
            "free WEB_PORT"
        )
    return Web(url=url, stack=stack)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("no /usr/bin/chromium: run `bash scripts/install_web.sh --browser`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def artifact_name(request: pytest.FixtureRequest) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)


@pytest.fixture
def new_page(browser: Browser, request: pytest.FixtureRequest):
    """Opens pages, each in a new browser session; screenshots them all at the end."""
    contexts = []
    errors: List[str] = []

    def open_page(width: int = 1000, height: int = 900, bypass_csp: bool = False) -> Page:
        context = browser.new_context(
            locale="fr-FR", viewport={"width": width, "height": height}, bypass_csp=bypass_csp
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(REPLY_TIMEOUT_MS)
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield open_page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for number, context in enumerate(contexts):
        for page in context.pages:
            suffix = f"-{number}" if len(contexts) > 1 else ""
            page.screenshot(
                path=str(ARTIFACTS / f"{artifact_name(request)}{suffix}.png"), full_page=True
            )
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


class Chat:
    """What a member sees of the chat, and what they do with it."""

    def __init__(self, page: Page):
        self.page = page

    @property
    def bot_turns(self) -> Locator:
        return self.page.locator(".turn-bot")

    @property
    def user_bubbles(self) -> Locator:
        return self.page.locator(".bubble-user")

    def wait_for_bot_turns(self, count: int) -> Locator:
        expect(self.bot_turns).to_have_count(count, timeout=REPLY_TIMEOUT_MS)
        return self.bot_turns.nth(count - 1)

    def say(self, text: str) -> Locator:
        """Types `text`, presses Enter, and returns the answer's turn."""
        turns = self.bot_turns.count()
        self.page.fill("#chat-input", text)
        self.page.press("#chat-input", "Enter")
        return self.wait_for_bot_turns(turns + 1)

    def conversation_id(self) -> str:
        saved = self.page.evaluate(
            "() => JSON.parse(sessionStorage.getItem('assurbot.conversation'))"
        )
        return saved["id"]


@pytest.fixture
def open_chat(web: Web, new_page):
    """Opens a page of the site in a new browser session; waits for Assurbot's opening."""

    def open_(path: str = "/", **page_options) -> Chat:
        page = new_page(**page_options)
        page.goto(web.url + path)
        chat = Chat(page)
        chat.wait_for_bot_turns(1)
        return chat

    return open_


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail("no axe-core in web/node_modules: run `bash scripts/install_web.sh`")
    return AXE.read_text()
