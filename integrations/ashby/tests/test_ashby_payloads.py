"""assessment.update bodies validated against the contract (the fake Ashby's rules)."""

from decimal import Decimal

import pytest

from assessments import services
from assessments.models import Interview
from integrations.ashby.payloads import assessment_update_payload, epoch_ms, initial_update_request
from integrations.ashby.tests.fake_ashby import contract_violations

START = "/api/ashby/assessment.start"


@pytest.fixture
def interview(org, catalog):
    interview, _ = services.interview_send(
        organization=org,
        test=catalog["py-fastapi-review"],
        candidate=services.CandidateData(first_name="Ada", last_name="L", email="a@example.com"),
        source="ashby",
    )
    return interview


def event(interview):
    return {"status": interview.status, "timestamp": epoch_ms(interview.status_changed_at)}


def test_initial_update_request_is_valid(interview):
    payload = initial_update_request(interview)
    assert contract_violations(payload) == []
    assert payload["cancelled_reason"] is None


def test_started_update_says_started(interview):
    interview = services.interview_start(interview=interview)
    payload = assessment_update_payload(interview, event(interview))
    assert contract_violations(payload) == []
    assert payload["assessment_status"]["value"] == "Started"
    assert "assessment_result" not in payload


def test_complete_update_carries_result_url_and_metadata(interview):
    interview = services.interview_start(interview=interview)
    interview = services.interview_submit(interview=interview)
    interview = services.interview_score(interview=interview, score=Decimal("87.5"))
    payload = assessment_update_payload(interview, event(interview))
    assert contract_violations(payload) == []
    assert payload["assessment_result"] == {
        "identifier": "score",
        "label": "Score",
        "type": "numeric_score",
        "value": 87.5,
    }
    assert payload["assessment_profile_url"]["type"] == "url"
    assert payload["assessment_profile_url"]["value"].endswith(f"/reports/{interview.report_token}")
    metadata = {field["identifier"]: field for field in payload["metadata"]}
    assert metadata["max-score"]["value"] == 100
    assert metadata["duration"]["type"] == "numeric_duration_minutes"
    assert isinstance(metadata["duration"]["value"], int)


@pytest.mark.parametrize("end", ["cancel", "expire"])
def test_cancel_and_expiry_carry_a_cancelled_reason(interview, end):
    if end == "cancel":
        interview = services.interview_cancel(interview=interview)
    else:
        interview = services.interview_expire(interview=interview)
    payload = assessment_update_payload(interview, event(interview))
    assert contract_violations(payload) == []
    assert payload["cancelled_reason"]
    assert "assessment_result" not in payload


def test_contract_checker_rejects_violations():
    good = {
        "assessment_id": "a",
        "timestamp": 1665680638489,
        "assessment_status": {
            "identifier": "status",
            "label": "Status",
            "type": "string",
            "value": "Started",
        },
    }
    assert contract_violations(good) == []
    assert contract_violations({**good, "timestamp": "2026-01-01T00:00:00Z"})
    assert contract_violations(
        {
            **good,
            "assessment_result": {
                "identifier": "score",
                "label": "Score",
                "type": "numeric_score",
                "value": 5,
            },
        }
    )
    assert contract_violations(
        {
            **good,
            "metadata": [{"identifier": "status", "label": "x", "type": "string", "value": "dup"}],
        }
    )
    assert contract_violations(
        {
            **good,
            "metadata": [{"identifier": "m", "label": "x", "type": "numeric_score", "value": "5"}],
        }
    )
    assert contract_violations(
        {**good, "metadata": [{"identifier": "m", "label": "x", "type": "percent", "value": 5}]}
    )


def reviewed_ashby_interview(points_for) -> Interview:
    """The demo's py-fastapi-review, started through Ashby, submitted and scored by a reviewer
    with ``points_for(criterion)`` on each rubric line."""
    from assessments.demo import demo_organization_seed
    from assessments.scoring_services import CriterionScore, interview_review_score

    demo = demo_organization_seed()
    test = demo.enabled_tests.get(partner_test_id="py-fastapi-review")
    interview, _ = services.interview_send(
        organization=demo,
        test=test,
        candidate=services.CandidateData(first_name="Ada", last_name="L", email="a@example.com"),
        source="ashby",
    )
    interview = services.interview_submit(interview=services.interview_start(interview=interview))
    scores = {c.pk: CriterionScore(points=points_for(c), comment="ok") for c in test.criteria.all()}
    return interview_review_score(interview=interview, scores=scores, reviewer=None)


def test_complete_update_carries_the_rubric_breakdown(org):
    interview = reviewed_ashby_interview(lambda criterion: criterion.max_points - 1)
    criteria = list(interview.test.criteria.all())
    payload = assessment_update_payload(interview, event(interview))
    assert contract_violations(payload) == []
    breakdown = [f for f in payload["metadata"] if f["identifier"].startswith("criterion-")]
    assert len(breakdown) == len(criteria) >= 5
    assert all(
        f["type"] == "numeric_score" and isinstance(f["value"], int | float) for f in breakdown
    )
    assert payload["assessment_result"]["value"] == sum(int(c.max_points) - 1 for c in criteria)


def test_ashby_settings_admin_stores_the_ashby_key_encrypted(admin_client, org):
    from integrations.ashby.models import AshbySettings
    from integrations.crypto import decrypt

    response = admin_client.post(
        "/admin/ashby/ashbysettings/add/",
        {
            "organization": org.pk,
            "api_key": "ashby-k-777",
            "base_url": "https://sandbox.ashbyhq.com/",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row = AshbySettings.objects.get(organization=org)
    assert "ashby-k-777" not in row.api_key_encrypted
    assert decrypt(row.api_key_encrypted) == "ashby-k-777"
    assert row.base_url == "https://sandbox.ashbyhq.com"
    page = admin_client.get(f"/admin/ashby/ashbysettings/{row.pk}/change/")
    assert "ashby-k-777" not in page.content.decode()


def test_ashby_settings_admin_rejects_a_private_ashby_base_url(admin_client, org):
    response = admin_client.post(
        "/admin/ashby/ashbysettings/add/",
        {"organization": org.pk, "api_key": "k", "base_url": "https://192.168.1.10"},
    )
    assert response.status_code == 200
    assert "The Ashby base URL must not point to a loopback" in response.content.decode()
