"""`make interactive` driven in tmux as the customer-discourse team uses it: one turn, a
corrected prediction, Export & Quit, and the story written where asked."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, stack_env

pytestmark = pytest.mark.integration


class Tmux:
    def __init__(self, session: str):
        self.session = session

    def screen(self) -> str:
        return subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.session, "-S", "-1000"],
            capture_output=True,
            text=True,
        ).stdout

    def send(self, *keys: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.session, *keys], check=True)

    def type(self, text: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.session, "-l", text], check=True)

    def wait_for(self, pattern: str, timeout: float = 60, count: int = 1) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if len(re.findall(pattern, screen)) >= count:
                return screen
            time.sleep(0.5)
        raise AssertionError(f"never saw {pattern!r} on the screen:\n{self.screen()[-3000:]}")


def choose(tmux: Tmux, action: str, nth: int) -> None:
    """Picks `action` in the `nth` "What is the next action of the bot?" list."""
    screen = tmux.wait_for(r"What is the next action of the bot\?", count=nth)
    choices = screen.split("What is the next action of the bot?")[-1].splitlines()[1:]
    index = next(i for i, line in enumerate(choices) if re.search(rf"\b{action}\b", line))
    for _ in range(index):
        tmux.send("Down")
    tmux.send("Enter")
    tmux.wait_for(rf"The bot will now run {action}")


def test_a_corrected_turn_is_saved_as_a_story(tmp_path: Path):
    if not shutil.which("tmux"):
        pytest.fail("tmux is missing (apt-get install tmux)")
    env = stack_env(
        "",
        MEMBER_DB_URL=f"sqlite:///{tmp_path}/members.sqlite3",
        TRACKER_SQLITE_PATH="memory",
    )
    launcher = tmp_path / "interactive.sh"
    exports = "\n".join(
        f"export {k}={shlex.quote(v)}"
        for k, v in env.items()
        if re.fullmatch(r"[A-Z_][A-Z0-9_]*", k)
        and (
            k.startswith(("RASA", "ACTION", "MEMBER", "REDIS", "TRACKER", "WEB", "PYTHON"))
            or k in ("PATH", "HOME", "LANG")
        )
    )
    launcher.write_text(
        f"{exports}\ncd {shlex.quote(str(ROOT))}\nbash scripts/interactive.sh\n"
        "echo INTERACTIVE-EXITED $?\nsleep 600\n"
    )
    session = f"assurbot-{uuid.uuid4().hex[:8]}"
    subprocess.run(
        [
            "tmux",
            "new-session",
            "-d",
            "-s",
            session,
            "-x",
            "200",
            "-y",
            "400",
            f"bash {shlex.quote(str(launcher))}",
        ],
        check=True,
    )
    tmux = Tmux(session)
    stories, nlu, domain = tmp_path / "stories.yml", tmp_path / "nlu.yml", tmp_path / "domain.yml"
    try:
        tmux.wait_for(r"Your input ->", timeout=300)
        tmux.type("bonjour")
        tmux.send("Enter")
        tmux.wait_for(r"classified 'bonjour' with intent 'greet'")
        tmux.type("y")
        tmux.wait_for(r"The bot wants to run 'utter_greet', correct\?")
        tmux.type("n")  # the team corrects the prediction: here, show the help instead
        choose(tmux, "utter_help", nth=1)
        # The corrected turn is new to the model, which may then want its fallback: the team
        # corrects that too, to "listen for the member's next message".
        screen = tmux.wait_for(r"The bot wants to run '\w+', correct\?", count=2)
        if re.findall(r"The bot wants to run '(\w+)', correct\?", screen)[-1] == "action_listen":
            tmux.type("y")
        else:
            tmux.type("n")
            choose(tmux, "action_listen", nth=2)
        # Next, the member's turn: as the help has buttons, the team picks a button or types.
        screen = tmux.wait_for(r"Your input ->|Type out your own message", count=2)
        if "Type out your own message" in screen:
            options = screen.split("(Use arrow keys)")[-1].splitlines()[1:]
            index = next(i for i, line in enumerate(options) if "Type out your own" in line)
            for _ in range(index):
                tmux.send("Down")
            tmux.send("Enter")
            tmux.wait_for(r"Your input ->", count=2)
        tmux.send("C-c")
        tmux.wait_for(r"Do you want to stop\?")
        for _ in range(4):  # Continue, Undo Last, Fork, Start Fresh, Export & Quit
            tmux.send("Down")
        tmux.send("Enter")
        for prompt, path in (
            (r"Export stories to", stories),
            (r"Export NLU data to", nlu),
            (r"Export domain file to", domain),
        ):
            tmux.wait_for(prompt)
            tmux.send("C-u")
            tmux.type(str(path))
            tmux.send("Enter")
        tmux.wait_for(r"INTERACTIVE-EXITED 0", timeout=120)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)

    written = yaml.safe_load(stories.read_text())
    steps = written["stories"][0]["steps"]
    assert steps[0] == {"intent": "greet"}
    assert steps[1] == {"action": "utter_help"}  # the corrected action, not utter_greet
    assert {"action": "utter_greet"} not in steps
