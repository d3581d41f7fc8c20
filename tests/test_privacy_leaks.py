"""What erasure and anonymization must not leave behind: similarity passages and signatures,
a recording stored by a worker that raced the erasure, emails in the interviews' admin
history, paste previews; a decline that a late chunk must not undo; the export's fields."""

import json
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments import candidate_services
from assessments import services as lifecycle
from assessments.accommodations import accommodation_set
from assessments.integrity import signals_record
from assessments.models import Interview, InterviewEvent
from assessments.privacy.erasure import candidate_erase
from assessments.privacy.export import candidate_export_data
from assessments.privacy.retention import retention_purge_all
from assessments.recordings import processing
from assessments.recordings.models import Recording, RecordingChunk
from assessments.recordings.transcribe import Utterance
from assessments.similarity.models import Signature, SimilarPair
from tests.fixtures.recordings import CHUNK_URL, split_bytes, webm_make

pytestmark = pytest.mark.django_db

NOTES = (
    "My name is Grace Hopper and you can reach me on plus four four seven seven zero zero. "
    "I started by reading the request handlers and found that the pagination endpoint "
    "computes the offset from the page number without subtracting one, so the first page "
    "is always skipped. The cache decorator keys on the function name only, which means "
    "two users asking for different reports get each other's data."
)


def erase(candidate):
    return candidate_erase(candidate=candidate, by_user_id=None, by_username="dpo")


def sent(org, catalog, email="ada@example.com", first="Ada", last="Lovelace"):
    interview, _ = lifecycle.interview_send(
        organization=org,
        test=catalog["py-fastapi-review"],
        candidate=lifecycle.CandidateData(first_name=first, last_name=last, email=email),
        source="admin",
        callback_url="",
    )
    return interview


@pytest.fixture
def submit(org, catalog, celery_eager, django_capture_on_commit_callbacks):
    def make(email, first, notes):
        interview = lifecycle.interview_start(interview=sent(org, catalog, email, first, "X"))
        with django_capture_on_commit_callbacks(execute=True):
            return candidate_services.interview_candidate_submit(
                interview=interview, answers={"notes": notes}
            )

    return make


# --- similarity ------------------------------------------------------------------------------


def test_erasure_removes_the_candidates_similarity_pairs_and_signatures(submit, admin_client):
    grace = submit("grace@example.com", "Grace", NOTES)
    bob = submit("bob@example.com", "Bob", NOTES.replace("I started", "First I"))
    assert SimilarPair.objects.exists() and Signature.objects.filter(interview=grace).exists()

    tombstone = erase(grace.candidate)

    assert not SimilarPair.objects.exists()
    assert not Signature.objects.filter(interview=grace).exists()
    assert Signature.objects.filter(interview=bob).exists()
    assert tombstone.removed["similar_pairs"] == 1
    page = admin_client.get(reverse("admin:assessments_interview_score", args=[bob.pk]))
    # Only the erased candidate wrote "I started by".
    assert page.status_code == 200 and "I started by" not in page.content.decode()
    # The erased interview no longer matches a new submission.
    carol = submit("carol@example.com", "Carol", NOTES.replace("I started", "Then I"))
    pairs = SimilarPair.objects.values_list("first_interview_id", "second_interview_id")
    assert list(pairs) == [(bob.pk, carol.pk)]


def test_anonymization_removes_the_candidates_similarity_pairs_and_signatures(submit):
    grace = submit("grace@example.com", "Grace", NOTES)
    submit("bob@example.com", "Bob", NOTES.replace("I started", "First I"))

    retention_purge_all(now=timezone.now() + timedelta(days=4000))

    assert not SimilarPair.objects.exists()
    assert not Signature.objects.filter(interview=grace).exists()


# --- a recording processed while the candidate is erased -------------------------------------


@pytest.fixture(scope="module")
def short_webm(tmp_path_factory) -> bytes:
    return webm_make(tmp_path_factory.mktemp("leaks") / "s.webm", seconds=3.0).read_bytes()


def erasing_transcriber(pcm_path, sample_rate):
    erase(Interview.objects.get().candidate)
    return [Utterance(start=0.0, end=1.0, text="hello")]


def pending_recording(recording_interview, short_webm, capture) -> Recording:
    interview = recording_interview()
    client = Client()
    for seq, part in enumerate(split_bytes(short_webm, 3)):
        url = CHUNK_URL.format(token=interview.candidate_token, seq=seq)
        assert client.post(url, data=part, content_type="video/webm").status_code == 201
    with capture(execute=False):  # the test runs the worker's processing itself
        lifecycle.interview_submit(interview=interview)
    return Recording.objects.get(status=Recording.Status.PENDING)


def stored_files(local_media) -> list:
    return [path for path in local_media.rglob("*") if path.is_file()]


def test_a_recording_erased_while_it_is_processed_leaves_no_file(
    recording_interview, local_media, short_webm, django_capture_on_commit_callbacks, settings
):
    settings.MARIOHR_RECORDING_TRANSCRIBER = "tests.test_privacy_leaks.erasing_transcriber"
    recording = pending_recording(
        recording_interview, short_webm, django_capture_on_commit_callbacks
    )

    processing.recording_process(recording_pk=recording.pk)

    assert not Recording.objects.exists()
    assert stored_files(local_media) == []


def test_a_recording_erased_before_its_chunks_are_read_is_not_retried(
    recording_interview, local_media, short_webm, django_capture_on_commit_callbacks, monkeypatch
):
    recording = pending_recording(
        recording_interview, short_webm, django_capture_on_commit_callbacks
    )
    assemble = processing._assemble

    def erased_first(chunks, assembled):  # after the chunks' rows were read
        erase(Interview.objects.get().candidate)
        return assemble(chunks, assembled)

    monkeypatch.setattr(processing, "_assemble", erased_first)

    processing.recording_process(recording_pk=recording.pk)  # no exception: nothing to retry

    assert not Recording.objects.exists() and not RecordingChunk.objects.exists()
    assert stored_files(local_media) == []


# --- consent ---------------------------------------------------------------------------------


def post_consent(interview, consent):
    body = {"consent": consent, "detail": "I withdraw"}
    url = f"/recordings/{interview.candidate_token}/consent"
    return Client().post(url, data=body, content_type="application/json")


def test_a_chunk_after_an_explicit_decline_is_refused_and_the_decline_kept(
    recording_interview, local_media, short_webm
):
    interview = recording_interview()
    parts = split_bytes(short_webm, 3)
    client = Client()
    url = CHUNK_URL.format(token=interview.candidate_token, seq=0)
    assert client.post(url, data=parts[0], content_type="video/webm").status_code == 201
    assert post_consent(interview, "declined").status_code == 200

    url = CHUNK_URL.format(token=interview.candidate_token, seq=1)
    response = client.post(url, data=parts[1], content_type="video/webm")

    assert response.status_code == 409 and response.json()["closed"] is True
    recording = Recording.objects.get()
    assert recording.consent == Recording.Consent.DECLINED
    assert recording.consent_detail == "I withdraw"
    assert RecordingChunk.objects.count() == 1
    assert len([p for p in stored_files(local_media) if "chunks" in p.parts]) == 1
    # The last answer wins: consent given again takes chunks again.
    assert post_consent(interview, "given").status_code == 200
    assert client.post(url, data=parts[1], content_type="video/webm").status_code == 201


def test_a_chunk_after_no_devices_still_implies_consent(
    recording_interview, local_media, short_webm
):
    interview = recording_interview()
    post_consent(interview, "unavailable")
    url = CHUNK_URL.format(token=interview.candidate_token, seq=0)
    response = Client().post(url, data=split_bytes(short_webm, 3)[0], content_type="video/webm")
    assert response.status_code == 201
    assert Recording.objects.get().consent == Recording.Consent.GIVEN


# --- admin history, signals, export ----------------------------------------------------------


def test_erasure_scrubs_the_interviews_admin_history(org, catalog, admin_client):
    interview = lifecycle.interview_start(interview=sent(org, catalog))
    response = admin_client.post(
        "/admin/assessments/interview/",
        {
            "action": "add_time",
            "_selected_action": [interview.pk],
            "confirm": "1",
            "minutes": "15",
            "reason": "ada@example.com (Ada Lovelace) wrote that her power failed",
        },
    )
    assert response.status_code in (200, 302)
    lifecycle.interview_submit(interview=Interview.objects.get(pk=interview.pk))
    entry = LogEntry.objects.get(object_id=str(interview.pk))
    assert "ada@example.com" in entry.change_message

    erase(interview.candidate)

    entry.refresh_from_db()
    assert "ada@example.com" not in entry.change_message
    assert "Lovelace" not in entry.change_message
    assert "power failed" in entry.change_message


def paste(interview, preview="Ada Lovelace, 12 Hi"):
    signal = {"kind": "paste", "id": "s1", "at": timezone.now().isoformat(), "size": 300}
    signals_record(interview=interview, signals=[{**signal, "preview": preview}])


def test_erasure_blanks_paste_previews_and_keeps_the_signal(org, catalog):
    interview = lifecycle.interview_start(interview=sent(org, catalog))
    paste(interview)
    lifecycle.interview_submit(interview=interview)

    erase(interview.candidate)

    event = InterviewEvent.objects.get(kind="signal_paste")
    assert event.data["preview"] == "" and event.data["size"] == 300


def test_anonymization_blanks_paste_previews(org, catalog):
    interview = lifecycle.interview_start(interview=sent(org, catalog))
    paste(interview, preview="call me on 0770")
    lifecycle.interview_submit(interview=interview)

    retention_purge_all(now=timezone.now() + timedelta(days=4000))

    assert InterviewEvent.objects.get(kind="signal_paste").data["preview"] == ""


def test_the_export_carries_the_accommodation_note(org, catalog):
    interview = accommodation_set(
        interview=sent(org, catalog), percent=25, minutes=0, note="Dyslexia, diagnosed 2019"
    )

    data = candidate_export_data(candidate=interview.candidate)

    assert data["interviews"][0]["accommodation_note"] == "Dyslexia, diagnosed 2019"
    assert "Dyslexia" in json.dumps(data, default=str)
