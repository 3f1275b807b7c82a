import pytest

from knowledge.articles import read_articles
from knowledge.trust import figures, is_official, trust_problems
from tests.knowledge.conftest import write_article


@pytest.mark.parametrize(
    "url",
    [
        "https://www.ameli.fr/assure/remboursements",
        "https://assure.ameli.fr",
        "https://www.service-public.gouv.fr/particuliers/vosdroits/F303",
        "https://sante.gouv.fr/soins",
        "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000051243245",
    ],
)
def test_official_pages_are_allowed(url):
    assert is_official(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://www.ameli.fr/assure",  # not https
        "https://ameli.fr.example.com/page",  # looks like ameli, is not
        "https://www.assurancesantevie.com/ij",  # a commercial site
        "https://evilgouv.fr/page",
        "javascript:alert(1)",
    ],
)
def test_other_pages_are_refused(url):
    assert not is_official(url)


def test_figures_are_compared_as_digits():
    assert figures("1 234,56 € puis 36 46 et 48 heures") == ["123456", "3646", "48"]


def _problems(tmp_path, **fields):
    write_article(tmp_path, "t", "a", **fields)
    (article,), _ = read_articles(tmp_path)
    return trust_problems(article)


def test_a_figure_its_sources_do_not_show_is_refused(tmp_path):
    problems = _problems(
        tmp_path,
        answer="Vous avez 48 heures et 23 € de forfait.",
        sources=[{"url": "https://www.ameli.fr/x", "quotes": ["dans les 48 heures"]}],
    )
    assert problems == ["figures not found in any quote of the sources: 23"]


def test_a_figure_written_otherwise_in_the_source_is_accepted(tmp_path):
    problems = _problems(
        tmp_path,
        answer="Appelez le 3646, ou comptez 1 234,56 €.",
        sources=[{"url": "https://www.ameli.fr/x", "quotes": ["le 36 46", "1234,56 euros"]}],
    )
    assert problems == []


def test_urls_in_the_answer_and_unofficial_sources_are_refused(tmp_path):
    problems = _problems(
        tmp_path,
        answer="Voir www.example.com pour plus.",
        link="https://www.example.com/ij",
        sources=[{"url": "http://www.ameli.fr/old.php", "quotes": []}],
    )
    assert "the answer holds a URL: put it in `link`" in problems
    assert "not an official https page: https://www.example.com/ij" in problems
    assert "not an official https page: http://www.ameli.fr/old.php" in problems
