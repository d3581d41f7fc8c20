# ruff: noqa: F811 - fixtures imported from tests.candidate_factories
"""Quiz grading rules (every question kind, partial credit) and rubric scoring by a reviewer."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from assessments import services as lifecycle
from assessments.models import Choice, Interview, Question
from assessments.scoring import normalize_text, question_points
from assessments.scoring_services import CriterionScore, ScoreInvalid, interview_review_score
from tests.candidate_factories import sent_interview  # noqa: F401


@pytest.fixture
def question(catalog):
    def make(kind, choices=(), accepted="", points="2"):
        q = Question.objects.create(
            test=catalog["python-fundamentals-quiz"],
            position=99,
            kind=kind,
            prompt="?",
            points=Decimal(points),
            accepted_answers=accepted,
        )
        for n, (text, ok) in enumerate(choices):
            Choice.objects.create(question=q, position=n, text=text, is_correct=ok)
        return q

    return make


def ids(q, *texts):
    return [str(c.pk) for c in q.choices.all() if c.text in texts]


def test_scoring_single_choice_all_or_nothing(question):
    q = question("single", [("a", False), ("b", True)])
    assert question_points(q, ids(q, "b")[0]) == Decimal("2.00")
    assert question_points(q, ids(q, "a")[0]) == Decimal("0.00")
    assert question_points(q, "") == Decimal("0.00")
    assert question_points(q, None) == Decimal("0.00")
    assert question_points(q, "999999") == Decimal("0.00")


@pytest.mark.parametrize(
    ("picked", "expected"),
    [
        (("a", "b"), "2.00"),  # all correct
        (("a",), "1.00"),  # half the correct ones
        (("a", "b", "c"), "1.00"),  # one wrong cancels one right
        (("a", "c"), "0.00"),
        (("c",), "0.00"),  # floored at zero
        (("a", "b", "c", "d"), "0.00"),  # ticking everything earns nothing
        ((), "0.00"),
    ],
)
def test_scoring_multiple_choice_partial_credit(question, picked, expected):
    q = question("multiple", [("a", True), ("b", True), ("c", False), ("d", False)])
    assert question_points(q, ids(q, *picked)) == Decimal(expected)


def test_scoring_multiple_choice_rounds_to_cents(question):
    q = question("multiple", [("a", True), ("b", True), ("c", True)], points="1")
    assert question_points(q, ids(q, "a")) == Decimal("0.33")
    assert question_points(q, ids(q, "a", "b")) == Decimal("0.67")


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("enumerate", "2.00"),
        ("  ENUMERATE ", "2.00"),
        ("Enumerate()", "2.00"),
        ("enum erate", "0.00"),
        ("range", "0.00"),
        ("", "0.00"),
    ],
)
def test_scoring_short_answer_ignores_case_and_whitespace(question, answer, expected):
    q = question("short", accepted="enumerate\nenumerate()")
    assert question_points(q, answer) == Decimal(expected)


def test_scoring_short_answer_collapses_inner_whitespace(question):
    q = question("short", accepted="try   statement")
    assert question_points(q, "Try statement") == Decimal("2.00")
    assert normalize_text("  a \t b\n") == "a b"


@pytest.fixture
def reviewer(db):
    return get_user_model().objects.create_user("rita", password="x", is_staff=True)


def submitted(make):
    interview = lifecycle.interview_start(interview=make())
    return lifecycle.interview_submit(interview=interview)


def rubric_scores(interview, points=None, comment="ok"):
    criteria = list(interview.test.criteria.all())
    points = points or [c.max_points for c in criteria]
    return {
        c.pk: CriterionScore(points=Decimal(p), comment=comment) for c, p in zip(criteria, points)
    }


def test_review_score_totals_breakdown_and_records_reviewer(sent_interview, reviewer):
    interview = submitted(sent_interview)
    scored = interview_review_score(
        interview=interview,
        scores=rubric_scores(interview, [25, 10, 20, 5, 12.5]),
        reviewer=reviewer,
    )
    assert scored.status == Interview.Status.COMPLETE
    assert scored.score == Decimal("72.5")
    assert scored.max_score == Decimal("100")
    assert scored.scored_by == reviewer
    assert scored.scored_at is not None
    assert [(line.label, line.points, line.comment) for line in scored.score_lines.all()][0] == (
        "Finds the real bugs",
        Decimal("25.00"),
        "ok",
    )


@pytest.mark.parametrize("bad", ["-1", "30.01", "0.015", "1.001"])
def test_review_score_outside_range_is_refused_naming_the_criterion(sent_interview, reviewer, bad):
    interview = submitted(sent_interview)
    scores = rubric_scores(interview)
    first = interview.test.criteria.first()
    scores[first.pk] = CriterionScore(points=Decimal(bad))
    with pytest.raises(ScoreInvalid) as raised:
        interview_review_score(interview=interview, scores=scores, reviewer=reviewer)
    assert list(raised.value.errors) == [f"criterion_{first.pk}"]
    interview.refresh_from_db()
    assert interview.status == Interview.Status.SUBMITTED
    assert not interview.score_lines.exists()


def test_review_score_total_always_equals_the_sum_of_the_stored_lines(sent_interview, reviewer):
    interview = submitted(sent_interview)
    scored = interview_review_score(
        interview=interview,
        scores=rubric_scores(interview, ["0.01", "0.02", "1.10", "2", "3.33"]),
        reviewer=reviewer,
    )
    assert scored.score == sum(line.points for line in scored.score_lines.all())


def test_review_score_requires_every_criterion(sent_interview, reviewer):
    interview = submitted(sent_interview)
    scores = rubric_scores(interview)
    scores.pop(interview.test.criteria.last().pk)
    with pytest.raises(ScoreInvalid):
        interview_review_score(interview=interview, scores=scores, reviewer=reviewer)


def test_review_score_correction_replaces_breakdown_and_tells_again(sent_interview, reviewer):
    from assessments.signals import interview_status_changed

    seen = []

    def listener(sender, interview, previous_status, at, **kwargs):
        seen.append((previous_status, interview.status, interview.score))

    interview_status_changed.connect(listener)
    try:
        interview = submitted(sent_interview)
        interview_review_score(
            interview=interview, scores=rubric_scores(interview, [1, 1, 1, 1, 1]), reviewer=reviewer
        )
        corrected = interview_review_score(
            interview=interview, scores=rubric_scores(interview, [2, 2, 2, 2, 2]), reviewer=reviewer
        )
    finally:
        interview_status_changed.disconnect(listener)
    assert corrected.score == 10
    assert corrected.score_lines.count() == 5
    assert seen[-2:] == [
        ("submitted", "complete", Decimal("5")),
        ("complete", "complete", Decimal("10")),
    ]
    assert corrected.events.filter(kind="score_corrected").count() == 1


def test_review_score_before_submission_is_illegal(sent_interview, reviewer):
    interview = lifecycle.interview_start(interview=sent_interview())
    with pytest.raises(lifecycle.IllegalTransition):
        interview_review_score(
            interview=interview, scores=rubric_scores(interview), reviewer=reviewer
        )
