# ruff: noqa: F811 - fixtures imported from tests.candidate_factories
"""After a candidate's data was erased (or anonymized by retention), their old link must not
collect new personal data: the tombstone says everything went."""

import json

import pytest
from django.test import Client

from assessments import interview_changes as changes
from assessments import services as lifecycle
from assessments.models import Answer, CandidateFeedback, Interview
from assessments.privacy.erasure import CandidateHasLiveTests, candidate_erase
from assessments.privacy.models import ErasureTombstone
from tests.candidate_factories import page_url, sent_interview  # noqa: F401

pytestmark = pytest.mark.django_db


def erase(interview):
    return candidate_erase(candidate=interview.candidate, by_user_id=None, by_username="dpo")


def test_an_erased_candidates_link_takes_no_feedback(sent_interview):
    interview = lifecycle.interview_submit(
        interview=lifecycle.interview_start(interview=sent_interview())
    )
    client = Client(enforce_csrf_checks=True)
    given = client.post(page_url(interview, "/feedback"), {"rating": "4", "comment": "fine"})
    assert given.status_code == 303
    erase(interview)
    assert not CandidateFeedback.objects.exists()

    page = client.get(page_url(interview))
    assert page.status_code == 200
    assert 'name="rating"' not in page.content.decode()  # no form offered any more
    again = client.post(
        page_url(interview, "/feedback"), {"rating": "1", "comment": "Ada, ada@example.com"}
    )
    assert again.status_code == 409
    assert not CandidateFeedback.objects.exists()


def test_erasing_a_candidate_with_a_live_test_is_refused_and_collects_nothing_after(
    sent_interview, django_user_model
):
    staff = django_user_model.objects.create_user("hm", is_staff=True)
    interview = lifecycle.interview_start(interview=sent_interview())
    with pytest.raises(CandidateHasLiveTests, match=interview.partner_interview_id):
        erase(interview)
    assert not ErasureTombstone.objects.exists()

    # Ended, then erased: the old link takes nothing, and no reopen or retake invites again.
    interview = lifecycle.interview_submit(interview=interview)
    erase(interview)
    response = Client(enforce_csrf_checks=True).post(
        page_url(interview, "/answers"),
        data=json.dumps({"answers": {"notes": "I am Ada Lovelace, ada@example.com"}}),
        content_type="application/json",
    )
    assert response.status_code in (404, 409, 410)
    assert not Answer.objects.filter(interview=interview).exists()
    with pytest.raises(changes.ChangeRefused, match="data was erased"):
        changes.interview_retake(interview=interview, by=staff, reason="again", days=7)
    interview.refresh_from_db()
    assert interview.status == Interview.Status.SUBMITTED
