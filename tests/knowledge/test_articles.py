import datetime as dt

from knowledge.articles import load_articles, read_articles
from tests.knowledge.conftest import knowledge_at, write_article


def test_an_article_as_an_editor_writes_it_is_read(knowledge_dir):
    articles, problems = read_articles(knowledge_dir)
    assert problems == []
    lost = next(a for a in articles if a.id == "lost_vitale_card")
    assert lost.topic == "vitale_card"
    assert lost.follow_up == "check_vitale_card"
    assert lost.site == "service-public.gouv.fr"
    assert lost.metadata() == {
        "answer": {
            "id": "lost_vitale_card",
            "catalogue_key": "lost_vitale_card",
            "sources": ["https://www.service-public.gouv.fr/particuliers/vosdroits/F0000"],
            "checked": "2026-12-01",
            "link": "https://www.service-public.gouv.fr/particuliers/vosdroits/F0000",
            "site": "service-public.gouv.fr",
        }
    }


def test_a_broken_article_is_reported_with_its_reason_and_left_out(tmp_path):
    write_article(tmp_path, "t", "good")
    write_article(tmp_path, "t", "few", questions=["une", "deux"])
    write_article(tmp_path, "t", "other_name", id="not_the_file_name")
    write_article(tmp_path, "t", "no_source", sources=[])
    (tmp_path / "t" / "not_yaml.yml").write_text("id: [unclosed", "utf-8")
    articles, problems = read_articles(tmp_path)
    assert [a.id for a in articles] == ["good"]
    reasons = {path.stem: reason for path, reason in problems}
    assert "at least 8" in reasons["few"]
    assert "differs from the file name" in reasons["other_name"]
    assert "at least one source" in reasons["no_source"]
    assert "not_yaml" in reasons
    assert [a.id for a in load_articles(tmp_path)] == ["good"]


def test_an_article_is_shown_only_between_its_dates(tmp_path):
    write_article(tmp_path, "hospital", "fee_2025", valid_until="2026-02-28")
    write_article(tmp_path, "hospital", "fee_2026", valid_from="2026-03-01")
    write_article(tmp_path, "hospital", "timeless")

    def shown(day):
        return sorted(a.id for a in load_articles(tmp_path, today=dt.date.fromisoformat(day)))

    assert shown("2026-02-28") == ["fee_2025", "timeless"]
    assert shown("2026-03-01") == ["fee_2026", "timeless"]
    # An expired article is never searched, so it can never be answered.
    knowledge = knowledge_at(tmp_path, "2026-12-02")
    assert knowledge.get("fee_2025") is None
    assert all(h.article.id != "fee_2025" for h in knowledge.index.search("Titre fee_2025"))
