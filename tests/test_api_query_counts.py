"""What the ATS's most frequent calls cost the database, and that nothing serves them stale.

Greenhouse polls test_status for weeks and loads list_tests whenever a recruiter opens a job:
each is one indexed key read plus one indexed read of what it shows.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import services
from assessments.models import Interview
from assessments.recordings.models import Recording
from integrations.keys import api_key_revoke
from integrations.models import ApiKey

STATUS = "/api/greenhouse/test_status"
LIST = "/api/greenhouse/list_tests"


@pytest.fixture(autouse=True)
def no_dns(monkeypatch):
    monkeypatch.setattr("integrations.ssrf.resolve", lambda host, port: ["93.184.215.14"])


@pytest.fixture
def sent(api, send_body):
    response = api.post("/api/greenhouse/send_test", send_body(), format="json")
    assert response.status_code == 200, response.content
    return Interview.objects.get(partner_interview_id=response.json()["partner_interview_id"])


@pytest.fixture
def warm(api):
    """A first request sets the key's last_used_at (at most one write a minute)."""
    assert api.get(LIST).status_code == 200


def status_of(api, interview):
    return api.get(STATUS, {"partner_interview_id": interview.partner_interview_id})


def test_test_status_is_two_queries(api, sent, warm, django_assert_num_queries):
    with django_assert_num_queries(2):
        response = status_of(api, sent)
    assert response.json()["partner_status"] == "sent"


def test_test_status_of_a_scored_interview_is_two_queries(
    api, sent, warm, django_assert_num_queries
):
    started = services.interview_start(interview=sent)
    services.interview_score(interview=started, score=Decimal("70"))
    with django_assert_num_queries(2):
        body = status_of(api, sent).json()
    assert body["partner_status"] == "complete"
    assert body["partner_profile_url"].endswith(sent.report_token)


def test_test_status_with_a_processed_recording_is_two_queries(
    api, sent, warm, django_assert_num_queries
):
    Recording.objects.create(
        interview=sent, status=Recording.Status.PROCESSED, file_name="recordings/x.webm"
    )
    with django_assert_num_queries(2):
        body = status_of(api, sent).json()
    assert body["metadata"]["Recording"].startswith("http")


def test_test_status_ignores_an_unprocessed_recording(api, sent, warm):
    Recording.objects.create(interview=sent, status=Recording.Status.RECEIVING)
    assert "Recording" not in status_of(api, sent).json()["metadata"]


def test_test_status_reads_interview_and_key_by_index_without_sorting(api, sent, warm):
    with CaptureQueriesContext(connection) as captured:
        status_of(api, sent)
    key_sql, interview_sql = (query["sql"] for query in captured.captured_queries)
    assert "ORDER BY" not in key_sql
    assert "ORDER BY" not in interview_sql
    assert '"prefix" =' in key_sql
    assert '"partner_interview_id" =' in interview_sql
    # Only the columns the status shows, never the candidate's data or the metadata blob.
    assert '"callback_url"' not in interview_sql
    assert '"metadata"' not in interview_sql


def test_list_tests_is_two_queries(api, warm, django_assert_num_queries):
    with django_assert_num_queries(2):
        response = api.get(LIST)
    assert len(response.json()) > 0


def test_ashby_assessment_list_is_two_queries(api, warm, django_assert_num_queries):
    with django_assert_num_queries(2):
        response = api.post("/api/ashby/assessment.list", {}, format="json")
    assert response.json()["success"] is True


def test_a_status_change_shows_on_the_next_poll(api, sent):
    assert status_of(api, sent).json()["partner_status"] == "sent"
    services.interview_start(interview=sent)
    assert status_of(api, sent).json()["partner_status"] == "in_progress"
    Interview.objects.filter(pk=sent.pk).update(status=Interview.Status.CANCELLED)
    assert status_of(api, sent).json()["partner_status"] == "cancelled"


def test_a_revoked_key_is_refused_on_the_next_request(api, sent):
    assert status_of(api, sent).status_code == 200
    assert api.get(LIST).status_code == 200
    api_key_revoke(api_key=ApiKey.objects.get(organization=sent.organization))
    assert status_of(api, sent).status_code == 401
    assert api.get(LIST).status_code == 401
