"""`make content-report`: the articles by age of their check, those about to change, those
expired; at a frozen date, so that every age and every list is known."""

from __future__ import annotations

import datetime as dt

from knowledge import content_report
from tests.knowledge.conftest import write_article

TODAY = dt.date(2026, 12, 2)


def base(root):
    write_article(root, "family", "recent", checked="2026-11-30")
    write_article(root, "family", "oldest", checked="2025-01-15", title="Le plus ancien")
    write_article(root, "abroad", "ends_soon", checked="2026-06-01", valid_until="2027-01-31")
    write_article(root, "abroad", "ends_later", checked="2026-06-01", valid_until="2027-02-01")
    write_article(root, "gp", "starts", checked="2026-10-01", valid_from="2027-01-01")
    write_article(root, "gp", "expired", checked="2025-06-01", valid_until="2026-11-30")
    write_article(root, "gp", "ends_today", checked="2026-09-01", valid_until="2026-12-02")
    (root / "gp" / "broken.yml").write_text("id: broken\n", encoding="utf-8")
    return root


def test_articles_by_age_those_about_to_change_and_those_expired(tmp_path):
    report = content_report.build(base(tmp_path / "knowledge"), TODAY)
    assert [a.id for a in report.by_age] == [
        "oldest", "expired", "ends_later", "ends_soon", "ends_today", "starts", "recent",
    ]  # fmt: skip
    assert report.age(report.by_age[0]) == 686
    # 60 days from 2 December 2026 is 31 January 2027: included; 1 February is not.
    assert [a.id for a in report.ending] == ["ends_today", "ends_soon"]
    assert [a.id for a in report.starting] == ["starts"]
    assert [a.id for a in report.expired] == ["expired"]
    assert [p.name for p, _ in report.unreadable] == ["broken.yml"]


def test_the_markdown_file_and_the_summary(tmp_path, capsys):
    out = tmp_path / "results" / "content-report.md"
    directory = base(tmp_path / "knowledge")
    code = content_report.main(
        ["--today", TODAY.isoformat(), "--directory", str(directory), "--out", str(out)]
    )
    assert code == 0
    printed = capsys.readouterr().out.strip().splitlines()
    assert printed[0] == "content-report: 7 articles au 02/12/2026"
    assert printed[1].startswith("  vérification la plus ancienne : 15/01/2025 (oldest, il y a 686")
    assert printed[2] == (
        "  fin de validité d'ici 60 jours : 2 ; validité à venir : 1 ; expirés (plus montrés) : 1"
    )
    assert "fichiers illisibles : 1" in printed[3]
    assert printed[-1] == str(out.resolve())

    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Base de connaissances : état au 02/12/2026")
    soon, expired, every = (
        text.split("\n## ")[1],
        text.split("\n## ")[2],
        text.split("\n## ")[3],
    )
    # by date: ends today, starts on 1 January, ends on 31 January
    assert soon.index("`ends_today`") < soon.index("`starts`") < soon.index("`ends_soon`")
    assert "`ends_later`" not in soon and "`expired`" not in soon
    assert "| 31/01/2027 | n'est plus montré après | `ends_soon` |" in soon
    assert "| 01/01/2027 | montré à partir du | `starts` |" in soon
    assert "| 30/11/2026 | `expired` |" in expired
    rows = [line for line in every.splitlines() if line.startswith("| ") and "`" in line]
    assert rows[0].startswith("| 15/01/2025 | 686 | `oldest` | Le plus ancien | family | — |")
    assert "| `expired` | Titre expired | gp | expiré le 30/11/2026 |" in every
    assert len(rows) == 7


def test_an_empty_base(tmp_path, capsys):
    (tmp_path / "knowledge").mkdir()
    out = tmp_path / "report.md"
    assert (
        content_report.main(
            ["--today", "2026-12-02", "--directory", str(tmp_path / "knowledge"), "--out", str(out)]
        )
        == 0
    )
    text = out.read_text(encoding="utf-8")
    assert "Aucun article ne change de validité" in text and "Aucun article expiré." in text
