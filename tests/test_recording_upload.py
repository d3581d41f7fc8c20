"""Chunk intake: POST /recordings/<candidate_token>/chunks/<seq> with raw WebM bytes."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from assessments.recordings.models import Recording, RecordingChunk, RecordingPolicy
from assessments.services import interview_cancel, interview_expire, interview_submit
from tests.fixtures.recordings import CHUNK_URL, split_bytes

HEADER = b"\x1a\x45\xdf\xa3" + b"\x00" * 60


@pytest.fixture
def client():
    return Client(enforce_csrf_checks=True)


def post_chunk(client, interview, seq, data, content_type="video/webm;codecs=vp8,opus"):
    url = CHUNK_URL.format(token=interview.candidate_token, seq=seq)
    return client.post(url, data=data, content_type=content_type)


def test_chunk_upload_stores_chunks_in_order(client, recording_interview, local_media, speech_webm):
    interview = recording_interview()
    parts = split_bytes(speech_webm, 4)
    for seq, part in enumerate(parts):
        response = post_chunk(client, interview, seq, part)
        assert response.status_code == 201, response.content
        assert response.json()["seq"] == seq
        assert response.json()["duplicate"] is False
    recording = Recording.objects.get(interview=interview)
    assert recording.status == Recording.Status.RECEIVING
    assert recording.chunk_count == 4
    assert recording.received_bytes == len(speech_webm)
    stored = b"".join(
        (local_media / chunk.file_name).read_bytes() for chunk in recording.chunks.order_by("seq")
    )
    assert stored == speech_webm
    assert recording.storage_key in recording.chunks.first().file_name
    assert interview.partner_interview_id not in recording.chunks.first().file_name


def test_chunk_upload_duplicate_seq_answers_200_and_is_stored_once(
    client, recording_interview, local_media
):
    interview = recording_interview()
    first = post_chunk(client, interview, 0, HEADER)
    again = post_chunk(client, interview, 0, HEADER)
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert RecordingChunk.objects.count() == 1
    assert Recording.objects.get().received_bytes == len(HEADER)
    assert len(list((local_media / "recordings").rglob("*.webm"))) == 1


def test_chunk_upload_same_seq_with_other_bytes_is_409(client, recording_interview, local_media):
    interview = recording_interview()
    post_chunk(client, interview, 0, HEADER)
    response = post_chunk(client, interview, 0, HEADER + b"different")
    assert response.status_code == 409
    assert "seq" in response.json()["fields"]


@pytest.mark.parametrize(
    "finish, status",
    [(interview_cancel, 410), (interview_expire, 410), (interview_submit, 409)],
)
def test_chunk_upload_refused_after_interview_ends(
    client, recording_interview, local_media, finish, status
):
    interview = recording_interview()
    finish(interview=interview)
    response = post_chunk(client, interview, 0, HEADER)
    assert response.status_code == status
    assert response.json()["fields"]["interview"]
    assert not RecordingChunk.objects.exists()


def _time_up(interview, seconds_ago: float):
    """Move the interview's time limit ``seconds_ago`` into the past."""
    expires_at = timezone.now() - timedelta(seconds=seconds_ago)
    type(interview).objects.filter(pk=interview.pk).update(expires_at=expires_at)
    interview.refresh_from_db()
    return interview


def test_chunk_upload_refused_when_time_is_up(client, recording_interview, local_media, settings):
    # Past the time limit and past the grace the candidate pages allow: refused.
    settings.MARIOHR_SUBMIT_GRACE_SECONDS = 60
    interview = _time_up(recording_interview(), seconds_ago=61)
    response = post_chunk(client, interview, 0, HEADER)
    assert response.status_code == 410
    assert response.json()["fields"]["interview"]
    assert not RecordingChunk.objects.exists()


def test_chunk_upload_accepted_within_the_submit_grace(
    client, recording_interview, local_media, settings
):
    # The automatic submit at the time limit flushes the last chunk a moment late; like the
    # answers and the submit itself, it is still taken within MARIOHR_SUBMIT_GRACE_SECONDS.
    settings.MARIOHR_SUBMIT_GRACE_SECONDS = 60
    interview = _time_up(recording_interview(), seconds_ago=5)
    assert post_chunk(client, interview, 0, HEADER).status_code == 201
    assert post_chunk(client, interview, 1, b"\x00" * 10).status_code == 201
    assert Recording.objects.get(interview=interview).chunk_count == 2


def test_chunk_upload_refused_after_the_grace_even_with_earlier_chunks(
    client, recording_interview, local_media, settings
):
    settings.MARIOHR_SUBMIT_GRACE_SECONDS = 30
    interview = recording_interview()
    assert post_chunk(client, interview, 0, HEADER).status_code == 201
    interview = _time_up(interview, seconds_ago=31)
    response = post_chunk(client, interview, 1, b"\x00" * 10)
    assert response.status_code == 410
    assert "expired" in response.json()["message"]
    assert RecordingChunk.objects.count() == 1


@pytest.mark.parametrize("seq", ["-1", "abc", "1.5", "100001", "9" * 5000, "%D9%A3"])
def test_chunk_upload_bad_seq_is_400_json(client, recording_interview, local_media, seq):
    interview = recording_interview()
    response = client.post(
        f"/recordings/{interview.candidate_token}/chunks/{seq}",
        data=HEADER,
        content_type="video/webm",
    )
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    assert response.json()["fields"]["seq"]
    assert not RecordingChunk.objects.exists()


def test_chunk_upload_seq_with_leading_zeros_is_the_same_chunk(
    client, recording_interview, local_media
):
    interview = recording_interview()
    assert post_chunk(client, interview, "000", HEADER).status_code == 201
    again = post_chunk(client, interview, 0, HEADER)
    assert again.status_code == 200
    assert again.json()["duplicate"] is True


def test_chunk_upload_refuses_other_content_type(client, recording_interview, local_media):
    response = post_chunk(client, recording_interview(), 0, HEADER, content_type="video/mp4")
    assert response.status_code == 415
    assert "Content-Type" in response.json()["fields"]


def test_chunk_upload_refuses_first_chunk_without_webm_header(
    client, recording_interview, local_media
):
    response = post_chunk(client, recording_interview(), 0, b"GIF89a" + b"\x00" * 40)
    assert response.status_code == 415
    assert "EBML" in response.json()["fields"]["body"][0]


def test_chunk_upload_refuses_oversized_chunk(client, recording_interview, local_media, settings):
    settings.MARIOHR_RECORDING_MAX_CHUNK_BYTES = 1000
    response = post_chunk(client, recording_interview(), 0, HEADER + b"\x00" * 1000)
    assert response.status_code == 413
    assert "1000" in response.json()["fields"]["body"][0]
    assert not RecordingChunk.objects.exists()


def test_chunk_upload_refuses_recording_past_total_cap(
    client, recording_interview, local_media, settings
):
    settings.MARIOHR_RECORDING_MAX_BYTES = 100
    interview = recording_interview()
    assert post_chunk(client, interview, 0, HEADER).status_code == 201
    response = post_chunk(client, interview, 1, b"\x00" * 60)
    assert response.status_code == 413
    assert RecordingChunk.objects.count() == 1


def test_chunk_upload_refuses_empty_chunk(client, recording_interview, local_media):
    response = post_chunk(client, recording_interview(), 3, b"")
    assert response.status_code == 400
    assert "body" in response.json()["fields"]


def test_chunk_upload_refused_when_test_does_not_record(client, recording_interview, local_media):
    interview = recording_interview(mode=RecordingPolicy.Mode.OFF)
    response = post_chunk(client, interview, 0, HEADER)
    assert response.status_code == 409
    assert "does not record" in response.json()["message"]


def test_chunk_upload_unknown_token_is_404_json(client, db):
    response = client.post(
        CHUNK_URL.format(token="nope", seq=0), data=HEADER, content_type="video/webm"
    )
    assert response.status_code == 404
    assert response.json()["fields"]["candidate_token"]


def test_chunk_upload_rejects_get(client, recording_interview):
    interview = recording_interview()
    response = client.get(CHUNK_URL.format(token=interview.candidate_token, seq=0))
    assert response.status_code == 405


@pytest.mark.parametrize(
    "body, status, field",
    [
        (b'{"consent": "declined", "detail": "NotAllowedError"}', 200, None),
        (b'{"consent": "maybe"}', 400, "consent"),
        (b"not json", 400, "body"),
    ],
)
def test_consent_is_recorded_or_refused_clearly(client, recording_interview, body, status, field):
    interview = recording_interview(mode=RecordingPolicy.Mode.OPTIONAL)
    url = f"/recordings/{interview.candidate_token}/consent"
    response = client.post(url, data=body, content_type="application/json")
    assert response.status_code == status, response.content
    if field:
        assert field in response.json()["fields"]
    else:
        recording = Recording.objects.get(interview=interview)
        assert recording.consent == Recording.Consent.DECLINED
        assert recording.consent_detail == "NotAllowedError"


def test_chunk_upload_storage_outage_is_503_so_the_page_retries(
    client, recording_interview, local_media, monkeypatch
):
    from django.core.files.storage import FileSystemStorage

    def unavailable(self, name, content):
        raise OSError("No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", unavailable)
    response = post_chunk(client, recording_interview(), 0, HEADER)
    assert response.status_code == 503
    assert "retry" in response.json()["fields"]["storage"][0]
    assert not RecordingChunk.objects.exists()


def post_consent(client, interview, body: bytes):
    url = f"/recordings/{interview.candidate_token}/consent"
    return client.post(url, data=body, content_type="application/json")


def test_consent_deeply_nested_body_is_400_not_500(client, recording_interview):
    interview = recording_interview(mode=RecordingPolicy.Mode.OPTIONAL)
    response = post_consent(client, interview, b"[" * 2000 + b"]" * 2000)
    assert response.status_code == 400, response.content
    assert response.json()["fields"]["body"]
    assert not Recording.objects.filter(interview=interview).exclude(consent="").exists()


@pytest.mark.parametrize(
    "body",
    [
        b'{"consent": "declined", "detail": "Not\\u0000AllowedError"}',
        b'{"consent": "declined", "detail": "NotAllowedError \\ud800"}',
        b'{"consent": "declined", "detail": "\\udc00 alone"}',
    ],
)
def test_consent_detail_with_nul_or_lone_surrogate_is_refused_naming_detail(
    client, recording_interview, body
):
    interview = recording_interview(mode=RecordingPolicy.Mode.OPTIONAL)
    response = post_consent(client, interview, body)
    assert response.status_code == 400, response.content
    assert response.json()["fields"]["detail"]
    assert not Recording.objects.filter(interview=interview).exclude(consent="").exists()


@pytest.mark.parametrize(
    "body, field",
    [
        (b'{"consent": NaN}', "body"),
        (b'{"consent": "given", "detail": 1e999}', "body"),
        (b'["given"]', "body"),
        (b"", "body"),
        (b'{"consent": "given", "detail": {"name": "NotAllowedError"}}', "detail"),
    ],
)
def test_consent_other_bad_bodies_are_400_json(client, recording_interview, body, field):
    interview = recording_interview(mode=RecordingPolicy.Mode.OPTIONAL)
    response = post_consent(client, interview, body)
    assert response.status_code == 400, response.content
    assert response.json()["fields"][field]


def test_consent_oversized_body_is_413_json(client, recording_interview):
    interview = recording_interview(mode=RecordingPolicy.Mode.OPTIONAL)
    body = b'{"consent": "declined", "detail": "' + b"x" * 5000 + b'"}'
    response = post_consent(client, interview, body)
    assert response.status_code == 413, response.content
    assert response.json()["fields"]["body"]
    assert not Recording.objects.filter(interview=interview).exclude(consent="").exists()


def test_consent_keeps_non_ascii_detail(client, recording_interview):
    interview = recording_interview(mode=RecordingPolicy.Mode.OPTIONAL)
    body = '{"consent": "unavailable", "detail": "Kamera nicht gefunden 📷"}'.encode()
    response = post_consent(client, interview, body)
    assert response.status_code == 200, response.content
    recording = Recording.objects.get(interview=interview)
    assert recording.consent_detail == "Kamera nicht gefunden 📷"
