"""Erasure, retention and export of a candidate's data against a real S3-compatible server
(moto in server mode on loopback): what the bucket holds is checked with list_objects."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from assessments.models import Answer, Candidate, InterviewEvent
from assessments.privacy import retention, storage
from assessments.privacy.erasure import candidate_erase
from assessments.privacy.export import candidate_export_zip
from assessments.privacy.models import ErasureTombstone, RetentionClock
from assessments.recordings.models import Recording, RecordingChunk, RecordingSegment
from assessments.services import interview_submit
from integrations.delivery.models import Delivery, DeliveryAttempt
from integrations.request_log.models import PartnerRequest
from tests.fixtures.recordings import CHUNK_URL, split_bytes

BUCKET = "mariohr-recordings"
EMAIL = "ada@x.org"

pytestmark = pytest.mark.slow


def keys(s3, prefix=""):
    listing = s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def keys_of(s3, *interviews):
    """The objects under these interviews' recordings (the moto backend outlives a test)."""
    storage_keys = Recording.objects.filter(interview__in=interviews).values_list(
        "storage_key", flat=True
    )
    return [key for storage_key in storage_keys for key in keys(s3, f"recordings/{storage_key}/")]


class Crash(BaseException):
    """A worker killed mid-purge."""


@pytest.fixture
def recorded(moto_s3, recording_interview, speech_webm):
    """Make a submitted interview whose recording is in the bucket: three chunks uploaded
    through the candidate endpoint and a processed file, with an answer, a logged email, a
    delivery and a logged ATS call naming the candidate."""

    def make(email=EMAIL):
        interview = recording_interview()
        Candidate.objects.filter(pk=interview.candidate_id).update(email=email)
        client = Client()
        for seq, part in enumerate(split_bytes(speech_webm, 3)):
            url = CHUNK_URL.format(token=interview.candidate_token, seq=seq)
            assert client.post(url, data=part, content_type="video/webm").status_code == 201
        recording = Recording.objects.get(interview=interview)
        name = default_storage.save(
            f"recordings/{recording.storage_key}/recording.webm", ContentFile(speech_webm)
        )
        Recording.objects.filter(pk=recording.pk).update(file_name=name)
        Answer.objects.create(
            interview=interview, key="notes", value="I am Ada, call me", saved_at=timezone.now()
        )
        InterviewEvent.objects.create(
            interview=interview, kind="invitation_resent", at=timezone.now(), data={"to": email}
        )
        delivery = Delivery.objects.create(
            organization=interview.organization,
            interview=interview,
            kind="results_patch",
            target_url="https://ats.example.com/cb",
            endpoint="https://ats.example.com",
            request_body={"candidate": {"email": email}, "score": 80},
            status=Delivery.Status.SUCCEEDED,
            next_attempt_at=timezone.now(),
        )
        DeliveryAttempt.objects.create(
            delivery=delivery,
            number=1,
            attempted_at=timezone.now(),
            status_code=200,
            outcome=DeliveryAttempt.Outcome.SUCCESS,
            response_excerpt=f'{{"ok": true, "email": "{email}"}}',
        )
        PartnerRequest.objects.create(
            organization=interview.organization,
            interview=interview,
            ats="greenhouse",
            method="POST",
            path="/api/greenhouse/send_test",
            status_code=200,
            latency_ms=3.0,
            request_body={"candidate": {"email": email}},
            response_body={"partner_interview_id": interview.partner_interview_id},
            created_at=timezone.now(),
        )
        interview = interview_submit(interview=interview)
        assert len(keys(moto_s3, f"recordings/{recording.storage_key}/")) == 4
        return interview

    return make


def test_erase_leaves_nothing_in_the_bucket_and_keeps_a_tombstone(moto_s3, recorded):
    interview = recorded()
    other = recorded(email="grace@x.org")
    erased_prefix = f"recordings/{interview.recording.storage_key}/"
    kept = keys_of(moto_s3, other)
    delivery = Delivery.objects.get(interview=interview)

    tombstone = candidate_erase(candidate=interview.candidate, by_user_id=None, by_username="dpo")

    assert keys(moto_s3, erased_prefix) == []  # nothing of the candidate is left
    assert keys_of(moto_s3, other) == kept and len(kept) == 4
    assert not Recording.objects.filter(interview=interview).exists()
    assert not RecordingChunk.objects.exclude(recording=other.recording).exists()
    assert not RecordingSegment.objects.exclude(recording=other.recording).exists()
    assert not Answer.objects.filter(interview=interview).exists()
    candidate = Candidate.objects.get(pk=interview.candidate_id)
    assert EMAIL not in str(candidate.__dict__) and "Lovelace" not in candidate.last_name
    assert EMAIL not in json.dumps(list(interview.events.values_list("data", flat=True)))
    delivery.refresh_from_db()
    assert EMAIL not in json.dumps(delivery.request_body)
    attempt = delivery.attempts.get()  # kept as metadata
    assert attempt.status_code == 200 and EMAIL not in attempt.response_excerpt
    call = PartnerRequest.objects.get(interview=interview)
    assert call.request_body is None and call.status_code == 200
    interview.refresh_from_db()
    assert interview.status == "submitted"  # statuses and scores stay
    assert tombstone == ErasureTombstone.objects.get(candidate_id=candidate.pk)
    assert tombstone.erased_by_username == "dpo" and tombstone.removed["storage_objects"] == 4
    assert EMAIL not in json.dumps(tombstone.removed)
    # The other candidate is untouched.
    assert Answer.objects.filter(interview=other).exists()
    assert Candidate.objects.get(pk=other.candidate_id).email == "grace@x.org"


def _age(interview, days):
    RetentionClock.objects.filter(interview=interview).update(
        ended_at=timezone.now() - timedelta(days=days)
    )


def test_retention_deletes_old_recordings_and_keeps_fresh_ones(moto_s3, recorded):
    old, fresh = recorded(), recorded(email="grace@x.org")
    _age(old, 91)
    _age(fresh, 89)
    old_prefix = f"recordings/{old.recording.storage_key}/"
    fresh_keys = keys_of(moto_s3, fresh)

    counts = retention.recordings_purge(organization=old.organization)

    assert counts == {"recordings": 1, "storage_objects": 4}
    assert keys(moto_s3, old_prefix) == []
    assert keys_of(moto_s3, fresh) == fresh_keys and len(fresh_keys) == 4
    assert list(Recording.objects.values_list("interview", flat=True)) == [fresh.pk]
    # Data other than the recording stays until the personal-data retention.
    assert Answer.objects.filter(interview=old).exists()
    assert RetentionClock.objects.get(interview=old).recording_purged_at is not None


def test_an_interrupted_purge_is_finished_by_the_next_run(moto_s3, recorded, monkeypatch):
    first, second = recorded(), recorded(email="grace@x.org")
    prefixes = [f"recordings/{i.recording.storage_key}/" for i in (first, second)]
    _age(first, 100)
    _age(second, 95)
    deleted = []

    class DyingStorage:
        """The bucket, through a worker that dies after five deletions."""

        def __getattr__(self, name):
            return getattr(default_storage, name)

        def delete(self, name):
            if len(deleted) == 5:  # mid-way through the second recording's objects
                raise Crash
            default_storage.delete(name)
            deleted.append(name)

    monkeypatch.setattr(storage, "default_storage", DyingStorage())
    with pytest.raises(Crash):
        retention.recordings_purge(organization=first.organization)
    assert sum(len(keys(moto_s3, prefix)) for prefix in prefixes) == 3
    assert Recording.objects.count() == 2  # no row went
    monkeypatch.setattr(storage, "default_storage", default_storage)

    counts = retention.recordings_purge(organization=first.organization)

    assert [keys(moto_s3, prefix) for prefix in prefixes] == [[], []]
    assert not Recording.objects.exists()
    assert counts["recordings"] == 2


def test_export_zip_holds_the_json_and_the_recording_files(moto_s3, recorded, speech_webm):
    interview = recorded()
    target = io.BytesIO()

    files = candidate_export_zip(candidate=interview.candidate, target=target)

    archive = zipfile.ZipFile(io.BytesIO(target.getvalue()))
    key = interview.recording.storage_key
    assert sorted(archive.namelist()) == ["candidate.json", f"recordings/{key}/recording.webm"]
    assert files == 2
    assert archive.read(f"recordings/{key}/recording.webm") == speech_webm
    data = json.loads(archive.read("candidate.json"))
    assert data["candidate"]["email"] == EMAIL
    [exported] = data["interviews"]
    assert exported["partner_interview_id"] == interview.partner_interview_id
    assert exported["answers"][0]["value"] == "I am Ada, call me"
    assert [event["kind"] for event in exported["events"]][-1] == "submitted"
    assert data["recordings"][0]["files"] == [f"recordings/{key}/recording.webm"]
    assert data["deliveries"][0]["attempts"][0]["status_code"] == 200
    assert data["ats_requests"][0]["request_body"] == {"candidate": {"email": EMAIL}}
