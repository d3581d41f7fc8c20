# ruff: noqa: F811 - fixtures imported from tests.candidate_factories
"""Every illegal status transition is refused and changes nothing; legal ones are logged."""

from decimal import Decimal

import pytest

from assessments import services as lifecycle
from assessments.models import Interview, InterviewEvent
from tests.candidate_factories import sent_interview  # noqa: F401

S = Interview.Status
ALL = [s.value for s in S]


def reach(interview, status):
    if status == S.CANCELLED:
        return lifecycle.interview_cancel(interview=interview)
    if status == S.EXPIRED:
        return lifecycle.interview_expire(interview=interview)
    if status == S.SENT:
        return interview
    interview = lifecycle.interview_start(interview=interview)
    if status == S.IN_PROGRESS:
        return interview
    interview = lifecycle.interview_submit(interview=interview)
    if status == S.SUBMITTED:
        return interview
    return lifecycle.interview_score(interview=interview, score=Decimal("50"))


ILLEGAL = [
    (start, target)
    for start in ALL
    for target in ALL
    if target not in lifecycle.ALLOWED_TRANSITIONS[start]
]


@pytest.mark.parametrize(("start", "target"), ILLEGAL)
def test_lifecycle_illegal_transition_is_refused(sent_interview, start, target):
    interview = reach(sent_interview(), start)
    events_before = InterviewEvent.objects.filter(interview=interview).count()
    with pytest.raises(lifecycle.IllegalTransition):
        lifecycle.interview_transition(interview=interview, to_status=target)
    interview.refresh_from_db()
    assert interview.status == start
    assert InterviewEvent.objects.filter(interview=interview).count() == events_before


@pytest.mark.parametrize(
    ("start", "call"),
    [
        (S.IN_PROGRESS, lifecycle.interview_start),
        (S.SUBMITTED, lifecycle.interview_start),
        (S.SENT, lifecycle.interview_submit),
        (S.SUBMITTED, lifecycle.interview_submit),
        (S.COMPLETE, lifecycle.interview_submit),
        (S.EXPIRED, lifecycle.interview_submit),
        (S.CANCELLED, lifecycle.interview_start),
        (S.COMPLETE, lifecycle.interview_cancel),
        (S.EXPIRED, lifecycle.interview_cancel),
        (S.COMPLETE, lifecycle.interview_expire),
        (S.SUBMITTED, lifecycle.interview_expire),
    ],
)
def test_lifecycle_service_refuses_illegal_call(sent_interview, start, call):
    interview = reach(sent_interview(), start)
    with pytest.raises(lifecycle.IllegalTransition):
        call(interview=interview)


@pytest.mark.parametrize("start", [S.SENT, S.EXPIRED, S.CANCELLED])
def test_lifecycle_score_refused_unless_started(sent_interview, start):
    interview = reach(sent_interview(), start)
    with pytest.raises(lifecycle.IllegalTransition):
        lifecycle.interview_score(interview=interview, score=Decimal("1"))


def test_lifecycle_score_outside_range_is_refused(sent_interview):
    interview = reach(sent_interview(), S.SUBMITTED)
    with pytest.raises(ValueError):
        lifecycle.interview_score(interview=interview, score=Decimal("101"))


def test_lifecycle_cancel_is_idempotent(sent_interview):
    interview = reach(sent_interview(), S.CANCELLED)
    assert lifecycle.interview_cancel(interview=interview).status == S.CANCELLED
    assert interview.events.filter(kind="cancelled").count() == 1


def test_lifecycle_full_path_logs_a_transcript(sent_interview):
    interview = reach(sent_interview(), S.COMPLETE)
    assert list(interview.events.values_list("kind", flat=True)) == [
        "started",
        "submitted",
        "scored",
    ]
