"""`seed_demo` makes the demo show the whole recording flow: py-fastapi-review requires one."""

from io import StringIO

from django.core.management import call_command
from django.test import Client

from assessments.models import Organization
from assessments.models import Test as CatalogTest
from assessments.recordings.models import RecordingPolicy
from assessments.recordings.services import policy_for
from assessments.services import CandidateData, interview_send, interview_start
from tests.fixtures.recordings import CHUNK_URL

HEADER = b"\x1a\x45\xdf\xa3" + b"\x00" * 60


def seed_demo() -> None:
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())


def test_seed_demo_makes_py_fastapi_review_require_a_recording(db):
    seed_demo()
    seed_demo()  # idempotent: still one policy
    policy = RecordingPolicy.objects.get(test__partner_test_id="py-fastapi-review")
    assert policy.mode == RecordingPolicy.Mode.REQUIRED
    assert policy_for(policy.test) == policy
    assert RecordingPolicy.objects.count() == 1
    others = CatalogTest.objects.exclude(partner_test_id="py-fastapi-review")
    assert others.exists()
    assert all(policy_for(test) is None for test in others)


def test_seeded_demo_interview_takes_recording_chunks(db, local_media):
    seed_demo()
    interview, _ = interview_send(
        organization=Organization.objects.get(slug="demo"),
        test=CatalogTest.objects.get(partner_test_id="py-fastapi-review"),
        candidate=CandidateData(first_name="Ada", last_name="Lovelace", email="ada@x.org"),
        source="admin",
    )
    interview = interview_start(interview=interview)
    url = CHUNK_URL.format(token=interview.candidate_token, seq=0)
    response = Client().post(url, data=HEADER, content_type="video/webm")
    assert response.status_code == 201, response.content
