"""The admin: recording policy as an inline on the Test, recordings visible, process again."""

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from assessments.recordings.models import Recording, RecordingPolicy
from assessments.recordings.services import policy_for
from assessments.services import interview_submit
from tests.fixtures.recordings import CHUNK_URL


@pytest.fixture
def superuser_client(db):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-long-enough")
    client = Client()
    client.force_login(user)
    return client


def inline_form(test, mode, consent_text=""):
    prefix = "recording_policy"
    return {
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1",
        f"{prefix}-0-mode": mode,
        f"{prefix}-0-consent_text": consent_text,
        f"{prefix}-0-capture_screen": "on",
        f"{prefix}-0-test": str(test.pk),
    }


def form_values(form) -> dict:
    """What a browser would post back for an unchanged bound-to-initial form."""
    values = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None or isinstance(field, forms.FileField):
            continue
        if isinstance(field, forms.BooleanField):
            if value:
                values[form.add_prefix(name)] = "on"
            continue
        values[form.add_prefix(name)] = value
    return values


def test_test_admin_edits_the_recording_policy_inline(superuser_client, catalog):
    test = catalog["sql-data-modeling"]
    url = reverse("admin:assessments_test_change", args=[test.pk])
    page = superuser_client.get(url)
    assert page.status_code == 200
    assert b"Session recording" in page.content
    data = form_values(page.context["adminform"].form)
    data["organizations"] = [str(o.pk) for o in test.organizations.all()]
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        if management.prefix == "recording_policy":
            continue
        for field in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[f"{management.prefix}-{field}"] = management[field].value()
        for row in formset.formset.forms:
            data.update(form_values(row))
    data.update(inline_form(test, "optional", "We record for fairness."))
    response = superuser_client.post(url, data)
    assert response.status_code == 302, response.context and [
        f.errors for f in response.context["inline_admin_formsets"]
    ]
    policy = RecordingPolicy.objects.get(test=test)
    assert policy.mode == "optional"
    assert policy.effective_consent_text == "We record for fairness."
    assert policy_for(test) == policy  # what the candidate page asks


def test_failed_recording_shows_reason_and_can_be_processed_again(
    superuser_client,
    recording_interview,
    local_media,
    speech_webm,
    django_capture_on_commit_callbacks,
    celery_eager,
):
    interview = recording_interview()
    url = CHUNK_URL.format(token=interview.candidate_token, seq=0)
    Client().post(url, data=speech_webm, content_type="video/webm")
    with django_capture_on_commit_callbacks(execute=False):
        interview_submit(interview=interview)
    # As if every attempt had failed while storage was down; the chunks are still there.
    Recording.objects.update(
        status=Recording.Status.FAILED, failure_reason="Gave up after 5 attempts: disk gone"
    )
    recording = Recording.objects.get()
    change = superuser_client.get(reverse("admin:recordings_recording_change", args=[recording.pk]))
    assert b"Gave up after 5 attempts: disk gone" in change.content
    changelist = reverse("admin:recordings_recording_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(
            changelist, {"action": "process_again", "_selected_action": [recording.pk]}
        )
    assert response.status_code == 302
    recording.refresh_from_db()
    assert recording.status == Recording.Status.PROCESSED
    interview_page = superuser_client.get(
        reverse("admin:assessments_interview_change", args=[interview.pk])
    )
    assert b"Processed" in interview_page.content
