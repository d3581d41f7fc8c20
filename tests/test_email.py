"""The invitation email: the plain-text part is text (never HTML-escaped), the HTML part is."""

import html

import pytest
from django.core import mail

from assessments.models import Interview

SEND = "/api/greenhouse/send_test"
HOSTILE = "O'Brien & Co <x>"


@pytest.fixture(autouse=True)
def no_dns(monkeypatch):
    # Callback hosts in these tests are fixed names; resolution is tested in test_ssrf.py.
    monkeypatch.setattr("integrations.ssrf.resolve", lambda host, port: ["93.184.215.14"])


@pytest.fixture
def invitation(make_org, client_for, send_body, django_capture_on_commit_callbacks, celery_eager):
    """The invitation for Seán O'Brien & Co <x> from the organization O'Brien & Co <x>, sent
    through the partner API and the Celery task."""
    organization = make_org("obrien", HOSTILE)
    candidate = {**send_body()["candidate"], "first_name": "Seán", "last_name": HOSTILE}
    candidate.pop("preferred_name")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(organization).post(
            SEND, send_body(candidate=candidate), format="json"
        )
    assert response.status_code == 200, response.content
    interview = Interview.objects.get(partner_interview_id=response.json()["partner_interview_id"])
    [message] = mail.outbox
    return interview, message


def test_invitation_text_part_is_not_html_escaped(invitation):
    interview, message = invitation
    assert message.body.startswith(f"Hello Seán {HOSTILE},\n")
    assert f"\n{HOSTILE} has invited you to take" in message.body
    for escaped in ("&amp;", "&#x27;", "&#39;", "&lt;", "&gt;", "&quot;"):
        assert escaped not in message.body
    assert f"/t/{interview.candidate_token}\n" in message.body


def test_invitation_html_part_is_escaped(invitation):
    interview, message = invitation
    [(html_body, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert "<x>" not in html_body
    assert f"Hello Seán {html.escape(HOSTILE)}," in html_body
    assert f"<p>{html.escape(HOSTILE)} has invited you" in html_body
    assert f'/t/{interview.candidate_token}" style=' in html_body  # the button's link


def test_invitation_subject_is_plain_text(invitation):
    _, message = invitation
    assert message.subject == f"{HOSTILE} invites you to take Python FastAPI Code Review"
