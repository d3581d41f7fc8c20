from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import ErrorReport
from integrations.tasks import purge_error_reports

REPORT = "/api/greenhouse/response_error"

GREENHOUSE_SHAPE = {
    "api_call": "test_status",
    "errors": ["partner_status is 'complete' but partner_profile url is missing"],
    "partner_test_id": "12345",
    "partner_test_name": "Personality Test",
    "partner_interview_id": "299506",
    "candidate_email": "hpotter@hogwarts.edu",
}


def test_response_error_greenhouse_shape_is_stored(api, org):
    response = api.post(REPORT, GREENHOUSE_SHAPE, format="json")
    assert response.status_code == 200
    assert response.json() == {"status": "received"}
    report = ErrorReport.objects.get()
    assert report.organization == org
    assert report.api_call == "test_status"
    assert report.errors == GREENHOUSE_SHAPE["errors"]
    assert report.partner_interview_id == "299506"
    assert report.candidate_email == "hpotter@hogwarts.edu"
    assert report.payload == GREENHOUSE_SHAPE


def test_response_error_seed_shape_with_code_and_message(api):
    body = {
        "api_call": "send_test",
        "errors": [{"code": "invalid_field", "message": "partner_interview_id missing"}],
    }
    response = api.post(REPORT + "/", body, format="json")
    assert response.status_code == 200
    assert ErrorReport.objects.get().errors == body["errors"]


def test_response_error_tolerates_nulls_unknown_keys_and_mixed_items(api):
    body = {
        "api_call": None,
        "errors": ["plain", {"code": "x", "message": None, "extra": {"deep": 1}}],
        "partner_test_id": None,
        "something_new": [1, 2],
    }
    response = api.post(REPORT, body, format="json")
    assert response.status_code == 200, response.content
    report = ErrorReport.objects.get()
    assert report.errors == ["plain", {"code": "x"}]
    assert report.payload["something_new"] == [1, 2]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"api_call": "test_status"}, "errors"),
        ({"errors": "not a list"}, "errors"),
        ({"errors": [1]}, "errors[0]"),
        ({"errors": [{"other": "x"}]}, "errors[0]"),
        ({"errors": [{"code": ["x"]}]}, "errors[0]"),
        ({"errors": ["x"] * 101}, "errors"),
        ({"errors": [], "api_call": {"a": 1}}, "api_call"),
        ({"errors": [], "candidate_email": "x" * 400}, "candidate_email"),
        ({"errors": ["nul \u0000 byte"]}, "errors[0]"),
    ],
)
def test_response_error_validation_names_the_field(api, body, field):
    response = api.post(REPORT, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"], response.json()
    assert ErrorReport.objects.count() == 0


@pytest.mark.parametrize("raw", [b"[]", b"null", b"{", b'{"errors": ["\\ud800"]}'])
def test_response_error_malformed_bodies_are_400(api, raw):
    response = api.generic("POST", REPORT, raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["message"]
    assert ErrorReport.objects.count() == 0


def test_response_error_get_is_405_json(api):
    response = api.get(REPORT)
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"
    assert "POST" in response.headers["Allow"]


def test_purge_task_deletes_reports_older_than_seven_days(api, org):
    for _ in range(3):
        assert api.post(REPORT, GREENHOUSE_SHAPE, format="json").status_code == 200
    old, borderline, fresh = ErrorReport.objects.order_by("pk")
    now = timezone.now()
    ErrorReport.objects.filter(pk=old.pk).update(received_at=now - timedelta(days=7, minutes=1))
    ErrorReport.objects.filter(pk=borderline.pk).update(
        received_at=now - timedelta(days=6, hours=23)
    )

    assert purge_error_reports() == 1

    assert set(ErrorReport.objects.values_list("pk", flat=True)) == {borderline.pk, fresh.pk}


def test_purge_task_is_on_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "integrations.tasks.purge_error_reports" in tasks


def test_purge_task_runs_through_celery(api, celery_eager):
    assert api.post(REPORT, GREENHOUSE_SHAPE, format="json").status_code == 200
    ErrorReport.objects.update(received_at=timezone.now() - timedelta(days=8))
    result = purge_error_reports.delay()
    assert result.get() == 1
    assert ErrorReport.objects.count() == 0


ODD_VALUES = [None, 0, 1.5, True, [], ["x"], {}, {"a": "b"}, "", "x" * 3000]


@pytest.mark.parametrize(
    "field",
    [
        "api_call",
        "errors",
        "partner_test_id",
        "partner_test_name",
        "partner_interview_id",
        "candidate_email",
    ],
)
def test_response_error_odd_values_are_never_a_500(api, field):
    for value in ODD_VALUES:
        body = {**GREENHOUSE_SHAPE, field: value}
        response = api.post(REPORT, body, format="json")
        assert response.status_code in (200, 400), (field, value, response.content)
        if response.status_code == 400:
            assert field in response.json()["fields"], (field, value)


@pytest.mark.parametrize("number", ["1e999", "-1e999", "1E400"])
def test_numbers_that_overflow_are_a_400_not_a_500(api, number):
    raw = '{"api_call": "x", "errors": [{"code": "c", "message": "m", "x": NUMBER}]}'
    raw = raw.replace("NUMBER", number)
    response = api.post(REPORT, raw, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "out of range" in response.json()["message"]
