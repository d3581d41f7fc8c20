"""The pure builders: score scaling, grades, summaries, the details' depth, the forms."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from integrations.catalog import CatalogEntry
from integrations.teamtailor.payloads import (
    duration_seconds,
    grade_of,
    score_percent,
    summary_of,
    trigger_config,
)
from integrations.teamtailor.tests.fake_teamtailor import contract_violations


@pytest.mark.parametrize(
    "score, maximum, percent",
    [
        ("41", "50", 82),
        ("0", "50", 0),
        ("50", "50", 100),
        ("1", "3", 33),
        ("2", "3", 67),
        ("7.5", "10", 75),
        ("5", None, None),
        ("5", "0", None),
        (None, "10", None),
    ],
)
def test_scores_are_scaled_to_teamtailors_0_to_100(score, maximum, percent):
    interview = SimpleNamespace(
        score=Decimal(score) if score is not None else None,
        max_score=Decimal(maximum) if maximum is not None else None,
    )
    assert score_percent(interview) == percent


@pytest.mark.parametrize(
    "percent, grade",
    [
        (100, "top_fit"),
        (80, "top_fit"),
        (79, "might_be_fit"),
        (50, "might_be_fit"),
        (49, "might_not_be_fit"),
        (None, None),
    ],
)
def test_grades_follow_the_organizations_thresholds(percent, grade):
    assert grade_of(percent, top_fit=80, might_be_fit=50) == grade


def test_duration_is_whole_seconds_from_start_to_submission():
    from django.utils import timezone

    now = timezone.now()
    interview = SimpleNamespace(
        started_at=now, submitted_at=now + timedelta(seconds=1934.6), completed_at=None
    )
    assert duration_seconds(interview) == 1934
    assert duration_seconds(SimpleNamespace(started_at=None, submitted_at=now)) is None


def test_a_summary_fits_the_card():
    interview = SimpleNamespace(status="sent", test=SimpleNamespace(name="X" * 400))
    summary = summary_of(interview, None)
    assert len(summary) == 150 and summary.endswith("…")


def test_the_trigger_form_uses_string_test_ids():
    config = trigger_config([CatalogEntry("py-fastapi-review", "Python FastAPI", "…")])
    (field,) = config["config"]["fields"]
    assert field["options"] == [{"id": "py-fastapi-review", "label": "Python FastAPI"}]


def test_the_fake_refuses_what_teamtailor_documents_as_invalid():
    def body(**attributes):
        return {"data": {"type": "partner-results", "id": "r", "attributes": attributes}}

    assert contract_violations(body(status="completed"), "r") == []
    assert contract_violations(body(status="cancelled"), "r")
    assert contract_violations(body(assessment={"score": 101}), "r")
    assert contract_violations(body(assessment={"grade": "great"}), "r")
    assert contract_violations(body(details={"a": {"b": {"c": 1}}}), "r")
    assert contract_violations(body(attachments=[{"url": "https://x", "name": "n"}]), "r")
    assert contract_violations(body(status="sent"), "other-id")
