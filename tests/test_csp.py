# ruff: noqa: F811 - fixtures imported from tests.candidate_factories
"""Content-Security-Policy on every kind of page, and pages that need no inline script."""

from html.parser import HTMLParser

import pytest

from assessments import services as lifecycle
from assessments.recordings.services import recording_url_for
from tests.candidate_factories import page_url, sent_interview  # noqa: F401
from tests.fixtures.recordings import CHUNK_URL


def policy_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


class InlineCode(HTMLParser):
    """Collects what a strict script-src forbids: inline scripts, handlers, javascript: URLs."""

    def __init__(self):
        super().__init__()
        self.found, self._in_inline_script = [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src"):
            self._in_inline_script = True
        for name, value in attrs.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            if name in ("href", "src", "action") and (value or "").lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}={value}>")

    def handle_data(self, data):
        if self._in_inline_script and data.strip():
            self.found.append(f"inline script: {data.strip()[:60]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False


def assert_strict_policy(response, where: str) -> dict:
    assert "Content-Security-Policy" in response, where
    policy = policy_of(response)
    assert policy["default-src"] == ["'self'"], where
    assert policy["script-src"] == ["'self'"], where
    assert policy["object-src"] == ["'none'"], where
    assert policy["base-uri"] == ["'none'"], where
    assert policy["frame-ancestors"] == ["'none'"], where
    assert policy["worker-src"] == ["'self'"], where
    assert "'unsafe-eval'" not in response["Content-Security-Policy"], where
    if "text/html" in response.get("Content-Type", ""):
        parser = InlineCode()
        parser.feed(response.content.decode())
        assert parser.found == [], where
    return policy


@pytest.fixture
def recorded(catalog):
    from assessments.recordings.models import RecordingPolicy

    RecordingPolicy.objects.update_or_create(
        test=catalog["py-fastapi-review"],
        defaults={"mode": RecordingPolicy.Mode.REQUIRED, "capture_screen": True},
    )


def test_candidate_pages_and_report_send_a_strict_policy(client, sent_interview, recorded):
    interview = sent_interview()
    pages = {"home": client.get("/"), "intro": client.get(page_url(interview))}
    pages["start refused"] = client.post(page_url(interview, "/start"))
    assert pages["start refused"].status_code == 409  # the required recording's consent
    client.post(page_url(interview, "/start"), {"recording_consent": "given"})
    take = client.get(page_url(interview))
    assert b'id="recording-capture"' in take.content and b"js/recorder.js" in take.content
    pages["take page with the recorder"] = take
    pages["report"] = client.get(f"/reports/{interview.report_token}")
    assert b"js/report.js" in pages["report"].content and b"data-print" in pages["report"].content
    cancelled = lifecycle.interview_cancel(interview=sent_interview())
    pages["cancelled page"] = client.get(page_url(cancelled))
    pages["not found page"] = client.get("/t/no-such-token")
    pages["bad request page"] = client.post(
        "/admin/login/",
        "&".join(f"field{n}=x" for n in range(1100)),
        content_type="application/x-www-form-urlencoded",
    )
    pages["report JSON"] = client.get(
        f"/reports/{interview.report_token}", HTTP_ACCEPT="application/json"
    )
    assert pages["cancelled page"].status_code == 410
    assert pages["not found page"].status_code == 404
    assert pages["bad request page"].status_code == 400
    for where, response in pages.items():
        policy = assert_strict_policy(response, where)
        # Local storage: recordings play through our own signed links.
        assert policy["media-src"] == ["'self'"], where
        assert "'unsafe-inline'" not in policy["script-src"], where


def test_admin_pages_send_the_policy_and_carry_no_inline_script(admin_client, sent_interview):
    interview = lifecycle.interview_submit(
        interview=lifecycle.interview_start(interview=sent_interview())
    )
    urls = [
        "/admin/",
        "/admin/assessments/interview/",
        f"/admin/assessments/interview/{interview.pk}/change/",
        f"/admin/assessments/interview/{interview.pk}/score/",
        "/admin/assessments/test/add/",
        "/admin/recordings/recording/",
        "/admin/delivery/delivery/",
        "/admin/delivery/delivery/failures/",
        "/admin/auth/user/add/",
        "/admin/password_change/",
    ]
    for url in urls:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert_strict_policy(response, url)


def test_admin_login_page_sends_the_policy(client, db):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert_strict_policy(response, "admin login")


@pytest.fixture
def s3_bucket(moto_s3):
    """moto_s3, emptied afterwards: moto keeps objects in-process across its servers, and
    other tests count the bucket's objects."""
    yield moto_s3
    for item in moto_s3.list_objects_v2(Bucket="mariohr-recordings").get("Contents", []):
        moto_s3.delete_object(Bucket="mariohr-recordings", Key=item["Key"])


@pytest.mark.slow
def test_media_src_allows_exactly_the_bucket_origin_of_presigned_links(
    client,
    s3_bucket,
    recording_interview,
    speech_webm,
    django_capture_on_commit_callbacks,
    celery_eager,
):
    interview = recording_interview()
    url = CHUNK_URL.format(token=interview.candidate_token, seq=0)
    assert client.post(url, data=speech_webm, content_type="video/webm").status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        interview = lifecycle.interview_submit(interview=interview)
    link = recording_url_for(interview)
    response = client.get(f"/reports/{interview.report_token}")
    assert f'src="{link.split("?")[0]}'.encode() in response.content
    policy = assert_strict_policy(response, "report with an S3 recording")
    assert policy["media-src"] == ["'self'", s3_bucket.meta.endpoint_url]
    assert link.startswith(f"{s3_bucket.meta.endpoint_url}/")
    assert policy["default-src"] == ["'self'"]  # only media may come from the bucket
