"""Recording intake races with real threads and connections (see tests/test_concurrency.py):
a retry racing its original, two requests creating one new segment, two tabs at once."""

import pytest
from django.test import Client
from django.utils import timezone

from assessments.recordings.models import Recording, RecordingChunk, RecordingSegment
from tests.test_concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 10
HEADER = b"\x1a\x45\xdf\xa3" + b"\x00" * 60


def post(interview, segment, seq, data):
    started = int(timezone.now().timestamp() * 1000)
    url = f"/recordings/{interview.candidate_token}/segments/{segment}/chunks/{seq}"
    response = Client().post(f"{url}?started={started}", data=data, content_type="video/webm")
    return response.status_code


def test_the_same_chunk_twice_at_once_is_stored_once(recording_interview, local_media):
    interview = recording_interview()
    for round_number in range(ROUNDS):
        segment = f"retry-race-{round_number}"
        codes = run_together(*[lambda s=segment: post(interview, s, 0, HEADER)] * 2)
        assert sorted(codes) == [200, 201]
        assert RecordingChunk.objects.filter(segment__client_id=segment).count() == 1
    recording = Recording.objects.get(interview=interview)
    assert recording.chunk_count == ROUNDS
    assert recording.received_bytes == ROUNDS * len(HEADER)
    assert len(list((local_media / "recordings").rglob("*.webm"))) == ROUNDS


def test_two_chunks_of_one_new_segment_at_once_make_one_segment(recording_interview, local_media):
    interview = recording_interview()
    for round_number in range(ROUNDS):
        segment = f"new-segment-{round_number}"
        codes = run_together(
            lambda s=segment: post(interview, s, 0, HEADER),
            lambda s=segment: post(interview, s, 1, b"\x00" * 10),
        )
        assert codes == [201, 201]
        assert RecordingSegment.objects.filter(client_id=segment).count() == 1
        assert RecordingChunk.objects.filter(segment__client_id=segment).count() == 2
    assert Recording.objects.get(interview=interview).chunk_count == 2 * ROUNDS


def test_two_tabs_uploading_at_once_keep_both_segments(recording_interview, local_media):
    interview = recording_interview()
    for round_number in range(ROUNDS):
        tabs = [f"tab-a-{round_number:04d}", f"tab-b-{round_number:04d}"]
        codes = run_together(*[lambda s=tab: post(interview, s, 0, HEADER) for tab in tabs])
        assert codes == [201, 201]
    recording = Recording.objects.get(interview=interview)
    assert recording.segments.count() == 2 * ROUNDS
    assert recording.chunk_count == 2 * ROUNDS
    assert recording.consent == Recording.Consent.GIVEN
