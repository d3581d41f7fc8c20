# ruff: noqa: F811 - fixtures imported from tests.candidate_factories
"""Erasure and export from the admin (custom permissions, a confirmation page) and by command."""

import io
import json
import zipfile

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from assessments import services as lifecycle
from assessments.models import Candidate
from assessments.privacy.models import ErasureTombstone
from integrations.models import ErrorReport
from tests.candidate_factories import sent_interview  # noqa: F401

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:assessments_candidate_changelist"


def staff(*codenames: str) -> Client:
    user = get_user_model().objects.create_user("dpo", "dpo@example.com", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_candidate", *codenames])
    )
    client = Client()
    client.force_login(user)
    return client


def ended(interview):
    """Erasure waits until no test of the candidate can be taken: these tests end it first."""
    return lifecycle.interview_cancel(interview=interview)


def act(client: Client, action: str, candidate: Candidate, **form):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, admin.helpers.ACTION_CHECKBOX_NAME: [candidate.pk], **form},
    )


def test_erasure_is_refused_while_a_test_can_be_taken(org, sent_interview, local_media):
    interview = sent_interview()
    candidate = interview.candidate

    refused = act(staff("erase_candidate"), "erase_candidates", candidate, confirm="yes")
    assert refused.status_code == 302
    with pytest.raises(CommandError, match="cancel them first"):
        call_command("candidate_erase", str(candidate.pk), organization=org.slug, by="dpo")
    assert not ErasureTombstone.objects.exists()
    assert Candidate.objects.get(pk=candidate.pk).email == "ada@example.com"

    ended(interview)
    call_command(
        "candidate_erase", str(candidate.pk), organization=org.slug, by="dpo", stdout=io.StringIO()
    )
    assert ErasureTombstone.objects.filter(candidate_id=candidate.pk).exists()


def test_erasure_asks_for_confirmation_then_erases_and_logs(sent_interview, local_media):
    candidate = ended(sent_interview()).candidate
    client = staff("erase_candidate")

    page = act(client, "erase_candidates", candidate)
    assert page.status_code == 200 and b"cannot be undone" in page.content
    assert not ErasureTombstone.objects.exists()

    done = act(client, "erase_candidates", candidate, confirm="yes")

    assert done.status_code == 302
    tombstone = ErasureTombstone.objects.get(candidate_id=candidate.pk)
    assert tombstone.erased_by_username == "dpo"
    entry = LogEntry.objects.get(object_id=str(candidate.pk))
    assert "Erased the candidate's data" in entry.change_message
    assert "ada@example.com" not in entry.object_repr
    assert Candidate.objects.get(pk=candidate.pk).email.endswith("@anonymized.invalid")


def test_the_change_permission_is_not_enough_to_erase_or_export(sent_interview):
    candidate = sent_interview().candidate
    client = staff("change_candidate", "delete_candidate")
    for action in ("erase_candidates", "export_candidate"):
        response = act(client, action, candidate, confirm="yes")
        assert response.status_code in (200, 302)  # the list again, the action not run
        assert "zip" not in response.get("Content-Type", "")
    assert not ErasureTombstone.objects.exists()
    assert Candidate.objects.get(pk=candidate.pk).email == "ada@example.com"


def test_export_downloads_a_zip_with_the_candidate_json(sent_interview, local_media):
    candidate = sent_interview().candidate
    response = act(staff("export_candidate"), "export_candidate", candidate)
    assert response["Content-Type"] == "application/zip"
    assert f"candidate-{candidate.pk}-export.zip" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    data = json.loads(archive.read("candidate.json"))
    assert data["candidate"]["email"] == "ada@example.com"
    assert len(data["interviews"]) == 1


def test_export_of_several_candidates_at_once_is_refused(sent_interview):
    first, second = sent_interview().candidate, sent_interview().candidate
    response = staff("export_candidate").post(
        reverse(CHANGELIST),
        {"action": "export_candidate", admin.helpers.ACTION_CHECKBOX_NAME: [first.pk, second.pk]},
        follow=True,
    )
    assert b"Select exactly one candidate" in response.content


def test_erase_command_by_email(org, sent_interview, local_media):
    first, second = ended(sent_interview()), ended(sent_interview())  # one email, two candidates
    out = io.StringIO()
    call_command("candidate_erase", "ADA@example.com", organization=org.slug, by="dpo", stdout=out)
    assert out.getvalue().count("Erased candidate") == 2
    tombstones = ErasureTombstone.objects.values_list("candidate_id", flat=True)
    assert sorted(tombstones) == sorted([first.candidate_id, second.candidate_id])
    assert not Candidate.objects.filter(email="ada@example.com").exists()


@pytest.mark.parametrize(
    ("candidate", "organization", "error"),
    [
        ("nobody@example.com", "acme", "No candidate"),
        ("1", "nowhere", "No organization"),
        ("a\x00b", "acme", "No candidate"),
    ],
)
def test_erase_command_errors(org, candidate, organization, error):
    with pytest.raises(CommandError, match=error):
        call_command("candidate_erase", candidate, organization=organization, by="dpo")
    assert not ErasureTombstone.objects.exists()


def test_export_command_writes_the_zip(org, sent_interview, local_media, tmp_path):
    candidate = sent_interview().candidate
    target = tmp_path / "out.zip"
    call_command(
        "candidate_export",
        str(candidate.pk),
        organization=org.slug,
        output=str(target),
        stdout=io.StringIO(),
    )
    data = json.loads(zipfile.ZipFile(target).read("candidate.json"))
    assert data["candidate"]["id"] == candidate.pk


def test_erasure_deletes_the_ats_error_reports_that_name_the_candidate(org, sent_interview):
    interview = ended(sent_interview())
    by_email = ErrorReport.objects.create(organization=org, candidate_email="Ada@Example.com")
    by_interview = ErrorReport.objects.create(
        organization=org, partner_interview_id=interview.partner_interview_id
    )
    other = ErrorReport.objects.create(organization=org, candidate_email="someone@example.com")
    call_command(
        "candidate_erase",
        str(interview.candidate_id),
        organization=org.slug,
        by="dpo",
        stdout=io.StringIO(),
    )
    remaining = set(ErrorReport.objects.values_list("pk", flat=True))
    assert remaining == {other.pk}
    assert by_email.pk not in remaining and by_interview.pk not in remaining
