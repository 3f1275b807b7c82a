"""How a reply is judged against what answers the question."""

from evaluation.evaluate import (
    CLARIFY_MISSED,
    GATES,
    NO_ANSWER,
    RIGHT,
    RIGHT_VIA_CLARIFY,
    WRONG,
    Scored,
    figures,
    gate_failures,
    precise_verdict,
    verdict,
)
from evaluation.real_questions import RealQuestion, half_of
from evaluation.replay import ANSWERED, CLARIFIED, NOT_ANSWERED, Reply


def question(scope="in", labels=("send_sick_leave",)):
    return RealQuestion("texte", "https://exemple.fr/page", "forum", scope, tuple(labels), "", "b")


def test_an_answer_is_right_by_its_catalogue_key_or_its_article():
    q = question(labels=("send_sick_leave", "tpt"))
    assert verdict(q, Reply(ANSWERED, ["send_sick_leave"], ["other"])) == RIGHT
    assert verdict(q, Reply(ANSWERED, ["daily_allowance_amount"], ["tpt"])) == RIGHT
    assert verdict(q, Reply(ANSWERED, ["lost_vitale_card"], ["lost"])) == WRONG


def test_a_clarification_counts_only_when_it_offers_a_right_article():
    q = question()
    assert verdict(q, Reply(CLARIFIED, ["waiting_period", "send_sick_leave"])) == (
        RIGHT_VIA_CLARIFY
    )
    assert verdict(q, Reply(CLARIFIED, ["waiting_period"])) == CLARIFY_MISSED
    assert verdict(q, Reply(NOT_ANSWERED)) == NO_ANSWER


def test_out_of_scope_is_handled_only_without_an_insurance_answer_or_choice():
    q = question(scope="out", labels=("out_of_scope",))
    assert verdict(q, Reply(NOT_ANSWERED)) == RIGHT
    assert verdict(q, Reply(ANSWERED, ["greet"])) == RIGHT
    assert verdict(q, Reply(ANSWERED, ["out_of_scope"], ["caf_redirect"])) == RIGHT
    assert verdict(q, Reply(ANSWERED, ["send_sick_leave"])) == WRONG
    assert verdict(q, Reply(CLARIFIED, ["send_sick_leave"])) == CLARIFY_MISSED


def test_figures_and_gates():
    scored = [
        Scored(question(), Reply(ANSWERED, ["send_sick_leave"]), RIGHT),
        Scored(question(), Reply(CLARIFIED, ["send_sick_leave"]), RIGHT_VIA_CLARIFY),
        Scored(question(), Reply(ANSWERED, ["greet"]), WRONG),
        Scored(question(), Reply(NOT_ANSWERED), NO_ANSWER),
        Scored(question("out", ("out_of_scope",)), Reply(NOT_ANSWERED), RIGHT),
    ]
    result = figures(scored, precise=False)
    assert result["right_rate"] == 0.5 and result["right_answer_rate"] == 0.25
    assert result["wrong_answer_rate"] == 0.25 and result["out_of_scope_handled"] == 1.0
    assert result["answer_rate"] == 0.5 and result["clarify_rate"] == 0.25


def test_the_gates_fail_below_their_floors_only():
    at_floor = dict(GATES)
    assert gate_failures(at_floor) == []
    below = {
        "right_rate": GATES["right_rate"] - 0.01,
        "wrong_answer_rate": GATES["wrong_answer_rate"] + 0.01,
        "out_of_scope_handled": GATES["out_of_scope_handled"] - 0.01,
    }
    assert [f.split()[0] for f in gate_failures(below)] == ["right", "wrong", "out"]


def test_the_precise_point_needs_one_of_the_labelled_articles():
    q = RealQuestion(
        "t",
        "https://e.fr/p",
        "forum",
        "in",
        ("send_sick_leave",),
        "",
        "b",
        articles=("heures_sortie",),
    )
    assert precise_verdict(q, Reply(ANSWERED, ["send_sick_leave"], ["heures_sortie"])) == RIGHT
    # the right subject, another point: wrong on the precise point, right on the subject
    other = Reply(ANSWERED, ["send_sick_leave"], ["send_sick_leave"])
    assert precise_verdict(q, other) == WRONG and verdict(q, other) == RIGHT
    assert precise_verdict(q, Reply(CLARIFIED, ["x"], ["a", "heures_sortie"])) == RIGHT_VIA_CLARIFY
    assert precise_verdict(q, Reply(CLARIFIED, ["x"], ["a"])) == CLARIFY_MISSED
    # no article for that point: a personal answer of the labelled key is still right
    personal = RealQuestion(
        "t", "https://e.fr/p", "forum", "in", ("check_daily_allowance",), "", "b"
    )
    assert precise_verdict(personal, Reply(ANSWERED, ["check_daily_allowance"])) == RIGHT


def test_a_site_always_falls_in_the_same_half():
    assert half_of("forum.example.fr") == half_of("forum.example.fr")
    assert {half_of(f"site{n}.fr") for n in range(20)} == {"dev", "test"}
