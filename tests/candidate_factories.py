"""Factories for the candidate, scoring, report and expiry tests (import the fixtures)."""

import pytest

from assessments import services as lifecycle
from assessments.models import Interview

SECRET_PASSWORD_LABEL = "Password"


def ada_interview_send(
    organization, test, *, callback_url: str = "", source: str = "greenhouse"
) -> Interview:
    """Ada Lovelace's interview for ``test``, sent through the lifecycle service."""
    interview, _ = lifecycle.interview_send(
        organization=organization,
        test=test,
        candidate=lifecycle.CandidateData(
            first_name="Ada", last_name="Lovelace", email="ada@example.com"
        ),
        source=source,
        callback_url=callback_url,
    )
    return interview


@pytest.fixture
def sent_interview(org, catalog):
    """An interview in ``sent`` for a demo test, created through the lifecycle service."""
    counter = iter(range(1_000_000))

    def make(partner_test_id="py-fastapi-review", callback_url=None, organization=None):
        return ada_interview_send(
            organization or org,
            catalog[partner_test_id],
            callback_url=callback_url or f"https://ats.example.com/take_home_tests/{next(counter)}",
        )

    return make


def page_url(interview: Interview, suffix: str = "") -> str:
    return f"/t/{interview.candidate_token}{suffix}"


def secret_values(interview: Interview) -> list[str]:
    return [v.value for v in interview.environment_values.all() if v.is_secret]


def quiz_questions(interview: Interview) -> list:
    return list(interview.test.questions.prefetch_related("choices"))


def correct_answer(question):
    if question.kind == "short":
        return question.accepted_answer_list[0]
    correct = [str(c.pk) for c in question.choices.all() if c.is_correct]
    return correct[0] if question.kind == "single" else correct
