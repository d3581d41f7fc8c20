"""The pure parts: status mapping, grades, duration and the results body."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from assessments import services as lifecycle
from assessments.models import Interview
from integrations.workable.models import WorkableSettings
from integrations.workable.payloads import (
    duration_hms,
    grade,
    results_put_payload,
    workable_status_of,
)

from .fake_workable import contract_violations

S = Interview.Status


def test_each_status_workable_has_is_mapped_and_the_others_are_not():
    assert {status: workable_status_of(status) for status in S.values} == {
        "sent": "pending",
        "in_progress": None,
        "submitted": None,
        "complete": "completed",
        "expired": "expired",
        "cancelled": "rejected",
    }


@pytest.mark.parametrize(
    ("score", "maximum", "expected"),
    [
        ("0", "100", "failed"),
        ("49.99", "100", "failed"),
        ("50", "100", "passed"),
        ("84.9", "100", "passed"),
        ("85", "100", "excelled"),
        ("17", "20", "excelled"),
        ("5", None, None),
        (None, "100", None),
        ("0", "0", None),
    ],
)
def test_grade_follows_the_organizations_thresholds(score, maximum, expected):
    score, maximum = (None if v is None else Decimal(v) for v in (score, maximum))
    assert grade(score, maximum, pass_percent=50, excel_percent=85) == expected


def test_duration_is_hours_minutes_seconds():
    interview = Interview(started_at=None)
    assert duration_hms(interview) is None
    start = timezone.now()
    interview = Interview(started_at=start, submitted_at=start + timedelta(hours=1, seconds=77))
    assert duration_hms(interview) == "01:01:17"


def scored_interview(org, catalog, score: str) -> Interview:
    interview, _ = lifecycle.interview_send(
        organization=org,
        test=catalog["py-fastapi-review"],
        candidate=lifecycle.CandidateData(first_name="A", last_name="B", email="a@example.com"),
        source="workable",
        callback_url="https://acme.workable.com/spi/1",
    )
    interview = lifecycle.interview_submit(interview=lifecycle.interview_start(interview=interview))
    return lifecycle.interview_score(interview=interview, score=Decimal(score))


def test_completed_results_have_the_contracts_shape(org, catalog, settings):
    settings.MARIOHR_BASE_URL = "https://mariohr.example.com"
    interview = scored_interview(org, catalog, "82.5")
    payload = results_put_payload(interview, status="completed")
    assert contract_violations(payload) == []
    assert payload["assessment"]["score"] == "82.5"
    assert payload["assessment"]["grade"] == "passed"
    assert payload["results_url"].endswith(f"/reports/{interview.report_token}")


@pytest.mark.parametrize("status", ["pending", "expired", "rejected"])
def test_other_statuses_carry_only_the_status(org, catalog, status):
    interview = scored_interview(org, catalog, "10")
    assert results_put_payload(interview, status=status) == {"status": status}


def test_seed_demo_sets_up_workable_and_says_how_to_call_it(org):
    lines = apps.get_app_config("workable").seed_demo(org)
    assert WorkableSettings.objects.filter(organization=org).exists()
    text = "\n".join(lines)
    assert "/api/workable/tests" in text and "/api/workable/assessments" in text
    assert "Authorization: Bearer" in text


def test_the_fake_workable_refuses_what_the_contract_does_not_allow():
    good = {
        "status": "completed",
        "results_url": "https://mariohr.example.com/reports/x",
        "assessment": {"score": "82", "grade": "passed", "duration": "00:41:17"},
        "attachments": [{"description": "Full report", "url": "https://mariohr.example.com/r"}],
    }
    assert contract_violations(good) == []
    bad = [
        {**good, "assessment": {**good["assessment"], "score": 82}},
        {**good, "assessment": {**good["assessment"], "grade": "yes"}},
        {**good, "assessment": {**good["assessment"], "duration": "41 minutes"}},
        {key: value for key, value in good.items() if key != "results_url"},
        {**good, "attachments": [{"url": "https://x.example.com"}]},
        {**good, "extra": 1},
        {"status": "pending", "results_url": "https://x.example.com"},
        {"status": "in_progress"},
        [],
    ]
    for payload in bad:
        assert contract_violations(payload), payload
