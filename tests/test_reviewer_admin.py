# ruff: noqa: F811 - fixtures imported from tests.candidate_factories
"""Reviewers in the admin: To review queue, scoring page, actions; the candidate_link command."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command

from assessments import services as lifecycle
from assessments.models import Interview
from tests.candidate_factories import secret_values, sent_interview  # noqa: F401

S = Interview.Status


@pytest.fixture
def staff_client(client, db):
    user = get_user_model().objects.create_superuser("rita", "rita@example.com", "pw-rita-123")
    client.force_login(user)
    client.user = user
    return client


def submitted(make, **kwargs):
    return lifecycle.interview_submit(interview=lifecycle.interview_start(interview=make(**kwargs)))


def test_reviewer_to_review_lists_submitted_oldest_first(staff_client, sent_interview, other_org):
    first = submitted(sent_interview)
    second = submitted(sent_interview, organization=other_org)
    lifecycle.interview_start(interview=sent_interview())  # in progress: not listed
    response = staff_client.get("/admin/assessments/interviewtoreview/")
    assert response.status_code == 200
    listed = [i.pk for i in response.context["cl"].result_list]
    assert listed == [first.pk, second.pk]
    filtered = staff_client.get(
        f"/admin/assessments/interviewtoreview/?organization__id__exact={other_org.pk}"
    )
    assert [i.pk for i in filtered.context["cl"].result_list] == [second.pk]


def test_reviewer_scoring_page_shows_answers_transcript_rubric_not_secrets(
    staff_client, sent_interview
):
    interview = submitted(sent_interview)
    response = staff_client.get(f"/admin/assessments/interview/{interview.pk}/score/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Finds the real bugs" in html and "Communication" in html
    assert "Started the test" in html
    assert 'name="points_' in html and 'name="comment_' in html
    for secret in secret_values(interview):
        assert secret not in html


def page_fields(client, interview) -> dict:
    """The hidden fields of the scoring page as it is now (what it was built on)."""
    return dict(client.get(f"/admin/assessments/interview/{interview.pk}/score/").context["page"])


def test_reviewer_saves_score_completes_and_records_who(staff_client, sent_interview):
    interview = submitted(sent_interview)
    form = page_fields(staff_client, interview)
    for n, criterion in enumerate(interview.test.criteria.all()):
        form[f"points_{criterion.pk}"] = str(criterion.max_points - n)
        form[f"comment_{criterion.pk}"] = f"note {n}"
    response = staff_client.post(f"/admin/assessments/interview/{interview.pk}/score/", form)
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.status == S.COMPLETE
    assert interview.score == 100 - (0 + 1 + 2 + 3 + 4)
    assert interview.scored_by == staff_client.user
    assert interview.score_lines.get(position=1).comment == "note 1"


@pytest.mark.parametrize("bad", ["31", "-2", "abc", "NaN", ""])
def test_reviewer_out_of_range_points_show_an_error_and_save_nothing(
    staff_client, sent_interview, bad
):
    interview = submitted(sent_interview)
    form = {f"points_{c.pk}": "1" for c in interview.test.criteria.all()}
    form.update(page_fields(staff_client, interview))
    first = interview.test.criteria.first()
    form[f"points_{first.pk}"] = bad
    response = staff_client.post(f"/admin/assessments/interview/{interview.pk}/score/", form)
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    interview.refresh_from_db()
    assert interview.status == S.SUBMITTED
    assert not interview.score_lines.exists()


def test_reviewer_corrects_a_score(staff_client, sent_interview):
    interview = submitted(sent_interview)
    url = f"/admin/assessments/interview/{interview.pk}/score/"
    for points in ("1", "2"):
        form = {f"points_{c.pk}": points for c in interview.test.criteria.all()}
        staff_client.post(url, {**page_fields(staff_client, interview), **form})
    interview.refresh_from_db()
    assert interview.score == 10
    assert interview.events.filter(kind="score_corrected").count() == 1


def test_reviewer_admin_resend_invitation_emails_the_link(
    staff_client, sent_interview, celery_eager, django_capture_on_commit_callbacks
):
    interview = sent_interview()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/admin/assessments/interview/",
            {"action": "resend_invitations", "_selected_action": [interview.pk]},
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert interview.candidate_token in mail.outbox[0].body
    assert interview.events.filter(kind="invitation_resent").exists()


def test_reviewer_admin_copy_candidate_link_shows_it(staff_client, sent_interview):
    interview = sent_interview()
    response = staff_client.post(
        "/admin/assessments/interview/",
        {"action": "copy_candidate_links", "_selected_action": [interview.pk]},
        follow=True,
    )
    assert f"/t/{interview.candidate_token}" in response.content.decode()


def test_reviewer_admin_cancel_makes_link_stop_working(staff_client, sent_interview, client):
    interview = sent_interview()
    staff_client.post(
        "/admin/assessments/interview/",
        {"action": "cancel_interviews", "_selected_action": [interview.pk]},
    )
    interview.refresh_from_db()
    assert interview.status == S.CANCELLED
    assert staff_client.get(f"/t/{interview.candidate_token}").status_code == 410


def test_reviewer_interview_list_never_shows_secrets(staff_client, sent_interview):
    interview = lifecycle.interview_start(interview=sent_interview())
    html = staff_client.get("/admin/assessments/interview/").content.decode()
    html += staff_client.get(
        f"/admin/assessments/interview/{interview.pk}/change/"
    ).content.decode()
    for secret in secret_values(interview):
        assert secret not in html


def test_reviewer_test_admin_edits_catalog_content_secrets_encrypted(staff_client, catalog):
    from assessments.admin import EnvironmentFieldForm

    test = catalog["py-fastapi-review"]
    field = test.environment_fields.get(label="Password")
    form = EnvironmentFieldForm(
        data={"position": "2", "label": "Password", "value": "Sandbox-Pa55", "is_secret": "on"},
        instance=field,
    )
    assert form.is_valid(), form.errors
    form.save()
    field.refresh_from_db()
    assert field.value == "Sandbox-Pa55"
    assert "Sandbox-Pa55" not in field.value_stored
    # Blank on a later edit keeps the stored secret.
    form = EnvironmentFieldForm(
        data={"position": "2", "label": "Password", "value": "", "is_secret": "on"}, instance=field
    )
    assert form.is_valid()
    form.save()
    field.refresh_from_db()
    assert field.value == "Sandbox-Pa55"
    response = staff_client.get(f"/admin/assessments/test/{test.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Finds the real bugs" in html
    assert "environment_fields-2-value" in html
    assert "Sandbox-Pa55" not in html


def test_candidate_link_command_prints_link_last(sent_interview):
    interview = sent_interview()
    out = StringIO()
    call_command("candidate_link", interview.partner_interview_id, stdout=out, stderr=StringIO())
    assert out.getvalue().strip().splitlines()[-1] == lifecycle.candidate_link(interview)


def test_candidate_link_command_unknown_id(db):
    with pytest.raises(CommandError, match="No interview"):
        call_command("candidate_link", "nope", stdout=StringIO(), stderr=StringIO())
