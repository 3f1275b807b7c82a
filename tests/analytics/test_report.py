"""`make report`: one self-contained French HTML file with its charts, and a terminal summary."""

from __future__ import annotations

import base64
import re

import pytest

from analytics import report
from assurbot.event_store import EventStore
from tests.analytics.test_metrics import END, START, synthetic_events


@pytest.fixture
def store_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'events.db'}"
    store = EventStore(url)
    store.write(synthetic_events())
    store.close()
    return url


def test_the_report_holds_the_figures_and_its_charts(store_url, tmp_path, capsys):
    out = tmp_path / "out"
    code = report.main(
        [
            "--from",
            START.isoformat(),
            "--to",
            END.isoformat(),
            "--store",
            store_url,
            "--out",
            str(out),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out.strip().splitlines()
    path = out / "rapport_2026-11-02_2026-11-03.html"
    assert printed[-1] == str(path.resolve())
    summary = "\n".join(printed)
    assert "Conversations             : 4 (2,0 par jour)" in summary
    assert "Taux de réponse           : 70,0\u00a0%" in summary
    assert "Satisfaction              : 50,0\u00a0% (2 avis)" in summary

    page = path.read_text()
    assert page.startswith("<!DOCTYPE html>") and '<html lang="fr">' in page
    charts = re.findall(r'<img src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]+)"', page)
    assert len(charts) == 5  # per day, lengths, answers, topics, satisfaction
    for data, alt in charts:
        assert base64.b64decode(data).decode().lstrip().startswith(("<?xml", "<svg")) and alt
    for figure in ("70,0\u00a0%", "30,0\u00a0%", "25,0\u00a0%", "50,0\u00a0%", "Covid"):
        assert figure in page
    # Self-contained: nothing fetched when the file is opened.
    assert not re.search(r'(src|href)="(https?:)?//', page) and "<script" not in page


def test_a_period_without_conversations(store_url, tmp_path, capsys):
    code = report.main(
        ["--from", "2027-01-01", "--to", "2027-01-07", "--store", store_url, "--out", str(tmp_path)]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "Conversations             : 0" in printed and "make simulate" in printed
    page = (tmp_path / "rapport_2027-01-01_2027-01-07.html").read_text()
    assert "Aucune conversation sur cette période" in page and "data:image" not in page


def test_the_default_period_is_the_last_thirty_days():
    args = report.parse_args([])
    assert (args.end - args.start).days == 29


def test_the_report_counts_answers_per_article_and_the_knowledge_rates(tmp_path, capsys):
    from tests.analytics.test_answers import knowledge_events

    url = f"sqlite:///{tmp_path / 'events.db'}"
    store = EventStore(url)
    store.write(synthetic_events() + knowledge_events())
    store.close()
    out = tmp_path / "out"
    period = ["--from", START.isoformat(), "--to", END.isoformat()]
    assert report.main([*period, "--store", url, "--out", str(out)]) == 0
    summary = capsys.readouterr().out
    assert (
        "Questions générales       : 5 ; article 60,0\u00a0%, clarification 20,0\u00a0%, "
        "sans réponse 20,0\u00a0%" in summary
    )
    # Titles come from data/knowledge/, the article the day before the period is not counted.
    assert "Articles les plus donnés  : Carte Vitale perdue ou volée 2, " in summary

    page = (out / "rapport_2026-11-02_2026-11-03.html").read_text()
    section = page[page.index("<h2>Base de connaissances</h2>") : page.index("<h2>Satisfaction")]
    assert "Clarifications" in section and "Sans réponse" in section
    assert "20,0\u00a0%" in section and "1 réponse personnelle à côté" in section
    rows = re.findall(r"<tr><th scope='row'>(.*?)</th><td>(\d+)</td>", section)
    assert rows[0] == ("Carte Vitale perdue ou volée <code>lost_vitale_card</code>", "2")
    assert len(rows) == 2 and "paternity_leave" in rows[1][0]
    assert "Question générale" in page  # defined with the other figures


def test_without_general_questions_the_section_says_so(store_url, tmp_path, capsys):
    report.main(
        ["--from", START.isoformat(), "--to", END.isoformat(), "--store", store_url,
         "--out", str(tmp_path)]
    )  # fmt: skip
    assert "Questions générales" not in capsys.readouterr().out
    page = (tmp_path / "rapport_2026-11-02_2026-11-03.html").read_text()
    assert "Aucune question générale sur la période." in page
