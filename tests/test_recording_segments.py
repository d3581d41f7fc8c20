"""Segments: every page load that records adds a part to the one recording; consent before
Start; a chunk implies consent; processing joins the parts and marks the gaps."""

from datetime import timedelta

import av
import pytest
from django.test import Client
from django.utils import timezone

from assessments.candidate_services import interviews_expire_overdue
from assessments.models import Interview
from assessments.recordings.models import Recording, RecordingChunk, RecordingPolicy
from assessments.recordings.services import CONSENT_IMPLIED, recording_for_report
from assessments.reports import report_build
from assessments.services import (
    CandidateData,
    interview_cancel,
    interview_expire,
    interview_send,
    interview_submit,
)
from tests.fixtures.recordings import CHUNK_URL, SPOKEN_WORDS, split_bytes, spoken_wav, webm_make

HEADER = b"\x1a\x45\xdf\xa3" + b"\x00" * 60
SEGMENT_URL = "/recordings/{token}/segments/{segment}/chunks/{seq}"
S = Interview.Status


def epoch_ms(moment) -> int:
    return int(moment.timestamp() * 1000)


def post_segment_chunk(interview, segment, seq, data, started=None, client=None):
    url = SEGMENT_URL.format(token=interview.candidate_token, segment=segment, seq=seq)
    if started is None:
        started = epoch_ms(interview.started_at)
    query = "" if started == "" else f"?started={started}"
    return (client or Client()).post(url + query, data=data, content_type="video/webm")


@pytest.fixture
def sent_recording_interview(org, catalog):
    def make(mode=RecordingPolicy.Mode.REQUIRED) -> Interview:
        test = catalog["py-fastapi-review"]
        RecordingPolicy.objects.update_or_create(test=test, defaults={"mode": mode})
        interview, _ = interview_send(
            organization=org,
            test=test,
            candidate=CandidateData(first_name="Ada", last_name="Lovelace", email="ada@x.org"),
            source="admin",
        )
        return interview

    return make


# --- intake ------------------------------------------------------------------------------


def test_segment_chunks_are_stored_per_segment_and_retries_are_harmless(
    recording_interview, local_media
):
    interview = recording_interview()
    first = post_segment_chunk(interview, "tab-one-aaaa", 0, HEADER)
    assert first.status_code == 201, first.content
    assert first.json()["segment"] == "tab-one-aaaa"
    again = post_segment_chunk(interview, "tab-one-aaaa", 0, HEADER)
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    # A reload starts a new segment that counts from 0 again: not a conflict.
    reloaded = post_segment_chunk(interview, "after-reload", 0, HEADER + b"other")
    assert reloaded.status_code == 201, reloaded.content
    recording = Recording.objects.get(interview=interview)
    assert sorted(recording.segments.values_list("client_id", flat=True)) == [
        "after-reload",
        "tab-one-aaaa",
    ]
    assert recording.chunk_count == 2
    assert RecordingChunk.objects.count() == 2
    assert len(list((local_media / "recordings").rglob("*.webm"))) == 2


def test_segment_chunk_with_other_bytes_is_409_but_not_closed(recording_interview, local_media):
    interview = recording_interview()
    post_segment_chunk(interview, "segment-one", 0, HEADER)
    response = post_segment_chunk(interview, "segment-one", 0, HEADER + b"different")
    assert response.status_code == 409
    assert response.json()["fields"]["seq"]
    assert response.json()["closed"] is False


def test_segment_started_is_fixed_by_the_first_chunk(recording_interview, local_media):
    interview = recording_interview()
    began = interview.started_at + timedelta(seconds=30)
    post_segment_chunk(interview, "segment-one", 0, HEADER, started=epoch_ms(began))
    later = epoch_ms(began + timedelta(seconds=20))
    assert (
        post_segment_chunk(interview, "segment-one", 1, b"\x00", started=later).status_code == 201
    )
    segment = Recording.objects.get().segments.get()
    assert abs((segment.started_at - began).total_seconds()) < 0.01


@pytest.mark.parametrize(
    "started",
    ["", "abc", "-5", "1.5", "9" * 16, "0", "early", "late"],
)
def test_segment_chunk_bad_started_is_400_naming_started(recording_interview, local_media, started):
    interview = recording_interview()
    if started == "early":
        started = epoch_ms(interview.started_at - timedelta(hours=1))
    elif started == "late":
        started = epoch_ms(timezone.now() + timedelta(hours=1))
    response = post_segment_chunk(interview, "segment-one", 0, HEADER, started=started)
    assert response.status_code == 400, response.content
    assert response.json()["fields"]["started"]
    assert not RecordingChunk.objects.exists()


@pytest.mark.parametrize("segment", ["short", "x" * 41, "has.dot12", "spa%20ce12", "%D9%A3" * 4])
def test_segment_chunk_bad_segment_id_is_400(recording_interview, local_media, segment):
    interview = recording_interview()
    response = post_segment_chunk(interview, segment, 0, HEADER)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    assert response.json()["fields"]["segment"]
    assert not RecordingChunk.objects.exists()


@pytest.mark.parametrize(
    "finish, status",
    [(interview_cancel, 410), (interview_expire, 410), (interview_submit, 409)],
)
def test_segment_chunk_after_the_interview_ends_is_closed(
    recording_interview, local_media, finish, status
):
    interview = recording_interview()
    assert post_segment_chunk(interview, "segment-one", 0, HEADER).status_code == 201
    finish(interview=interview)
    response = post_segment_chunk(interview, "segment-one", 1, b"\x00" * 10)
    assert response.status_code == status
    assert response.json()["closed"] is True
    assert response.json()["fields"]["interview"]


def test_segment_chunk_before_start_is_409_not_closed(sent_recording_interview, local_media):
    interview = sent_recording_interview()
    url = SEGMENT_URL.format(token=interview.candidate_token, segment="segment-one", seq=0)
    started = epoch_ms(timezone.now())
    response = Client().post(f"{url}?started={started}", data=HEADER, content_type="video/webm")
    assert response.status_code == 409
    assert response.json()["closed"] is False


def test_segment_chunk_for_a_test_that_does_not_record_is_closed(recording_interview):
    interview = recording_interview(mode=RecordingPolicy.Mode.OFF)
    response = post_segment_chunk(interview, "segment-one", 0, HEADER)
    assert response.status_code == 409
    assert response.json()["closed"] is True


def test_the_old_route_is_the_legacy_segment(recording_interview, local_media):
    interview = recording_interview()
    url = CHUNK_URL.format(token=interview.candidate_token, seq=0)
    assert Client().post(url, data=HEADER, content_type="video/webm").status_code == 201
    assert post_segment_chunk(interview, "legacy", 0, HEADER).status_code == 200
    assert Recording.objects.get().segments.get().client_id == "legacy"


# --- consent -----------------------------------------------------------------------------


def post_consent(interview, consent="given", detail=""):
    url = f"/recordings/{interview.candidate_token}/consent"
    body = {"consent": consent, "detail": detail}
    return Client().post(url, data=body, content_type="application/json")


def test_consent_is_taken_before_start_and_repeats_are_harmless(sent_recording_interview):
    interview = sent_recording_interview()
    assert post_consent(interview, "declined").json() == {"consent": "declined"}
    first = post_consent(interview, "given")
    again = post_consent(interview, "given")
    assert first.status_code == again.status_code == 200
    assert again.json() == {"consent": "given"}
    assert Recording.objects.get(interview=interview).consent == Recording.Consent.GIVEN
    interview.refresh_from_db()
    assert interview.status == S.SENT  # consent does not start the clock


def test_consent_after_submit_is_closed(recording_interview):
    interview = interview_submit(interview=recording_interview())
    response = post_consent(interview)
    assert response.status_code == 409
    assert response.json()["closed"] is True


def test_start_records_the_form_consent_then_starts(sent_recording_interview):
    interview = sent_recording_interview()
    response = Client().post(
        f"/t/{interview.candidate_token}/start",
        {"recording_consent": "given", "recording_consent_detail": "camera ok\x00"},
    )
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.status == S.IN_PROGRESS
    recording = Recording.objects.get(interview=interview)
    assert recording.consent == Recording.Consent.GIVEN
    assert recording.consent_detail == "camera ok"
    assert recording.consent_at <= interview.started_at


def test_start_of_a_required_recording_without_consent_is_refused(sent_recording_interview):
    interview = sent_recording_interview()
    post_consent(interview, "unavailable", "NotFoundError")
    response = Client().post(f"/t/{interview.candidate_token}/start")
    assert response.status_code == 409
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "requires a camera and microphone recording" in html
    assert "Start the test" in html  # the intro again, with its Start button
    interview.refresh_from_db()
    assert interview.status == S.SENT
    assert interview.started_at is None


def test_start_with_a_declined_form_consent_is_refused_for_a_required_recording(
    sent_recording_interview,
):
    interview = sent_recording_interview()
    response = Client().post(
        f"/t/{interview.candidate_token}/start", {"recording_consent": "declined"}
    )
    assert response.status_code == 409
    interview.refresh_from_db()
    assert interview.status == S.SENT
    assert Recording.objects.get().consent == Recording.Consent.DECLINED


def test_start_with_an_unknown_form_consent_is_400_and_does_not_start(sent_recording_interview):
    interview = sent_recording_interview()
    response = Client().post(f"/t/{interview.candidate_token}/start", {"recording_consent": "yes"})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    interview.refresh_from_db()
    assert interview.status == S.SENT


def test_start_of_an_optional_recording_needs_no_consent(sent_recording_interview):
    interview = sent_recording_interview(mode=RecordingPolicy.Mode.OPTIONAL)
    response = Client().post(f"/t/{interview.candidate_token}/start")
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.status == S.IN_PROGRESS


def test_start_with_consent_given_earlier_starts(sent_recording_interview):
    interview = sent_recording_interview()
    post_consent(interview, "given")
    assert Client().post(f"/t/{interview.candidate_token}/start").status_code == 302
    interview.refresh_from_db()
    assert interview.status == S.IN_PROGRESS


def test_a_chunk_implies_consent_so_a_lost_consent_request_blocks_nothing(
    recording_interview, local_media
):
    interview = recording_interview()
    client = Client()
    answers_url = f"/t/{interview.candidate_token}/answers"
    body = {"answers": {"notes": "first try"}}
    blocked = client.post(answers_url, data=body, content_type="application/json")
    assert blocked.status_code == 409  # required recording, consent never arrived

    assert post_segment_chunk(interview, "segment-one", 0, HEADER).status_code == 201
    recording = Recording.objects.get()
    assert recording.consent == Recording.Consent.GIVEN
    assert recording.consent_detail == CONSENT_IMPLIED
    saved = client.post(answers_url, data=body, content_type="application/json")
    assert saved.status_code == 200, saved.content
    submitted = client.post(f"/t/{interview.candidate_token}/submit", {"notes": "done"})
    assert submitted.status_code == 302
    interview.refresh_from_db()
    assert interview.status == S.SUBMITTED


# --- processing --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_parts(tmp_path_factory):
    """A 3 s part without speech and a 4 s part whose speech begins 1 s in."""
    folder = tmp_path_factory.mktemp("segments")
    wav = spoken_wav(folder / "words.wav")
    first = webm_make(folder / "first.webm", seconds=3.0).read_bytes()
    second = webm_make(folder / "second.webm", seconds=4.0, wav=wav, speech_at=1.0).read_bytes()
    return first, second


def upload_segment(interview, segment, data, began, parts=3, seqs=None):
    for seq, part in zip(seqs or range(parts), split_bytes(data, parts), strict=False):
        response = post_segment_chunk(interview, segment, seq, part, started=epoch_ms(began))
        assert response.status_code == 201, response.content


def finish(interview, capture, how=interview_submit):
    with capture(execute=True):
        return how(interview=interview)


def test_two_segments_become_one_file_with_a_gap_in_the_timeline(
    recording_interview,
    local_media,
    two_parts,
    django_capture_on_commit_callbacks,
    celery_eager,
    client,
):
    first, second = two_parts
    interview = recording_interview()
    began = interview.started_at + timedelta(seconds=2)
    resumed = began + timedelta(seconds=45)  # 3 s recorded, then a reload took 42 s
    # Uploaded out of order: the map follows `started`, not arrival.
    upload_segment(interview, "after-reload-2", second, resumed)
    upload_segment(interview, "first-load-1", first, began)
    interview = finish(interview, django_capture_on_commit_callbacks)

    recording = Recording.objects.get()
    assert recording.status == Recording.Status.PROCESSED, recording.failure_reason
    assert recording.failure_reason == ""
    assert abs(recording.duration_seconds - 7.0) < 0.5
    with av.open(str(local_media / recording.file_name)) as container:
        assert abs(container.duration / av.time_base - 7.0) < 0.5
        assert container.streams.video and container.streams.audio
    one, two = recording.segment_map
    assert [one["segment"], two["segment"]] == ["first-load-1", "after-reload-2"]
    assert one["offset_seconds"] == 0
    assert abs(one["duration_seconds"] - 3.0) < 0.3
    assert abs(two["offset_seconds"] - one["duration_seconds"]) < 0.01
    assert abs(two["duration_seconds"] - 4.0) < 0.3
    assert one["missing_chunks"] == two["missing_chunks"] == recording.missing_chunks == []

    # Speech 1 s into the second part: about 4 s into the file, 46 s after `began`.
    spoken = [u for u in recording.transcript if set(u["text"].split()) & SPOKEN_WORDS]
    assert spoken, recording.transcript
    assert 3.0 < spoken[0]["start"] < 5.5
    report = report_build(interview)
    speech = next(e for e in report["transcript"] if e["event"] == "speech")
    said_at = timezone.datetime.fromisoformat(speech["at"].replace("Z", "+00:00"))
    assert timedelta(seconds=45) < said_at - began < timedelta(seconds=47.5)

    [gap] = [e for e in report["transcript"] if e["event"] == "recording_gap"]
    assert 41 <= gap["gap_seconds"] <= 43
    assert gap["label"].startswith("Recording paused for 42 s")
    assert report["recording"]["segments"] == recording.segment_map
    started_index = [e["event"] for e in report["transcript"]].index("started")
    assert [e["event"] for e in report["transcript"]].index("recording_gap") > started_index

    html = client.get(f"/reports/{interview.report_token}").content.decode()
    assert "Recording paused for 42 s (page reloaded" in html
    json_body = client.get(
        f"/reports/{interview.report_token}", HTTP_ACCEPT="application/json"
    ).json()
    assert any(e["event"] == "recording_gap" for e in json_body["transcript"])


def test_a_segment_whose_first_chunk_never_arrived_is_skipped_with_a_note(
    recording_interview, local_media, two_parts, django_capture_on_commit_callbacks, celery_eager
):
    first, second = two_parts
    interview = recording_interview()
    began = interview.started_at + timedelta(seconds=1)
    upload_segment(interview, "first-load-1", first, began)
    upload_segment(interview, "headless-22", second, began + timedelta(seconds=10), seqs=[1, 2])
    finish(interview, django_capture_on_commit_callbacks)

    recording = Recording.objects.get()
    assert recording.status == Recording.Status.PROCESSED, recording.failure_reason
    assert [span["segment"] for span in recording.segment_map] == ["first-load-1"]
    assert abs(recording.duration_seconds - 3.0) < 0.5
    assert "Part 2" in recording.failure_reason
    assert "never arrived" in recording.failure_reason


def test_when_no_segment_is_playable_the_recording_fails_with_every_reason(
    recording_interview, local_media, two_parts, django_capture_on_commit_callbacks, celery_eager
):
    first, second = two_parts
    interview = recording_interview()
    began = interview.started_at
    upload_segment(interview, "headless-11", first, began, seqs=[1, 2])
    upload_segment(interview, "headless-22", second, began + timedelta(seconds=9), seqs=[2])
    finish(interview, django_capture_on_commit_callbacks)
    recording = Recording.objects.get()
    assert recording.status == Recording.Status.FAILED
    assert "Part 1" in recording.failure_reason and "Part 2" in recording.failure_reason
    assert recording.chunks.count() == 3  # kept for "process again"


def test_missing_middle_chunk_of_one_of_several_segments_is_named_by_segment(
    recording_interview, local_media, two_parts, django_capture_on_commit_callbacks, celery_eager
):
    first, second = two_parts
    interview = recording_interview()
    began = interview.started_at
    upload_segment(interview, "first-load-1", first, began)
    upload_segment(
        interview, "second-load-2", second, began + timedelta(seconds=5), parts=4, seqs=[0, 1, 3]
    )
    finish(interview, django_capture_on_commit_callbacks)
    recording = Recording.objects.get()
    assert recording.status == Recording.Status.PROCESSED, recording.failure_reason
    assert recording.missing_chunks == [{"segment": "second-load-2", "seq": 2}]
    assert recording.segment_map[1]["missing_chunks"] == [2]
    assert recording.segment_map[0]["missing_chunks"] == []


def test_tab_closed_without_submit_then_the_expiry_sweep_processes_the_recording(
    recording_interview,
    local_media,
    two_parts,
    django_capture_on_commit_callbacks,
    celery_eager,
    settings,
):
    # The browser never said goodbye: chunks arrived, then nothing. The beat's expiry sweep
    # ends the interview after the time limit and its grace; the recording is processed.
    first, _ = two_parts
    settings.MARIOHR_SUBMIT_GRACE_SECONDS = 30
    interview = recording_interview()
    upload_segment(interview, "only-load-1", first, interview.started_at)
    Interview.objects.filter(pk=interview.pk).update(
        expires_at=timezone.now() - timedelta(seconds=31)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert interviews_expire_overdue() == 1
    interview.refresh_from_db()
    assert interview.status == S.EXPIRED
    recording = Recording.objects.get()
    assert recording.status == Recording.Status.PROCESSED, recording.failure_reason
    assert abs(recording.duration_seconds - 3.0) < 0.5
    assert recording_for_report(interview)["url"]


@pytest.mark.django_db(transaction=True)
def test_migration_puts_existing_chunks_into_a_legacy_segment(recording_interview):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    interview = recording_interview()
    before = [("recordings", "0002_policies_from_test_flag")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    recording = old.get_model("recordings", "Recording").objects.create(
        interview_id=interview.pk, storage_key="old-key", consent="given"
    )
    for seq in range(3):
        old.get_model("recordings", "RecordingChunk").objects.create(
            recording=recording, seq=seq, file_name=f"f{seq}", size_bytes=1, sha256="0" * 64
        )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    migrated = Recording.objects.get(pk=recording.pk)
    segment = migrated.segments.get()
    assert segment.client_id == "legacy"
    assert segment.started_at == interview.started_at
    assert sorted(segment.chunks.values_list("seq", flat=True)) == [0, 1, 2]
    assert migrated.segment_map == []
