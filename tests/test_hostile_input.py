# ruff: noqa: F811 - fixtures imported from tests.candidate_factories
"""Hostile input answers the same on PostgreSQL as on SQLite: NUL, broken UTF-8, overlong
and percent-encoded junk in every path token, id, query parameter, header, cookie and form
is a 404 (path) or a 400 (anything else), never a 500; Range headers are bounded; and a
candidate's solution URL is http(s) or refused, and never becomes a script link in the admin.
"""

import json
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now

from assessments.models import Answer, Interview
from assessments.recordings.links import link_create
from assessments.recordings.models import Recording
from assessments.services import interview_submit
from tests.candidate_factories import page_url, sent_interview  # noqa: F401

S = Interview.Status
FORM = "application/x-www-form-urlencoded"

# Percent-encoded as they arrive on the wire. NUL must reach no query; the rest (broken or
# overlong UTF-8, a UTF-8-encoded lone surrogate, double encoding, traversal, controls,
# invisible and huge) must simply match nothing.
NUL_TOKENS = ["%00", "abc%00def", "%00" * 40]
JUNK_TOKENS = [
    "%ED%A0%80",  # a lone surrogate, UTF-8 encoded (invalid UTF-8)
    "%C0%80",  # overlong NUL
    "%FF%FE%FD",
    "%25%30%30",  # %00, double-encoded
    "..%2F..%2Fetc%2Fpasswd",
    "%0A%0D%09",
    "%E2%80%AE%E2%80%8B",  # right-to-left override, zero-width space
    "a" * 5000,
    "%F0%9F%92%A9" * 100,
]
HOSTILE_TOKENS = NUL_TOKENS + JUNK_TOKENS
QUERY_JUNK = ["%00", "a%00b", "%ED%A0%80", "%C0%80", "%FF", "9" * 5000, "-1", "%25%30%30", ""]


def assert_not_a_server_error(response):
    assert response.status_code < 500, response.content[:500]


# Candidate pages: /t/<token>...

CANDIDATE_ROUTES = [
    ("get", ""),
    ("post", "/start"),
    ("post", "/answers"),
    ("post", "/submit"),
    ("get", "/starter"),
]


@pytest.mark.parametrize("token", HOSTILE_TOKENS)
@pytest.mark.parametrize(("method", "suffix"), CANDIDATE_ROUTES)
def test_candidate_routes_answer_404_for_a_hostile_token(client, db, method, suffix, token):
    response = getattr(client, method)(f"/t/{token}{suffix}")
    assert response.status_code == 404
    if suffix == "/answers" and "%00" not in token and "%2F" not in token:
        assert response.json()["error"] == "not_found"  # the view's own JSON 404


@pytest.mark.parametrize("junk", ["%00", "/%00", "%00/start", "/start%00", "/submit/%00"])
def test_nul_after_a_real_candidate_token_is_a_404(client, sent_interview, junk):
    interview = sent_interview()
    assert client.get(page_url(interview)).status_code == 200
    assert client.get(page_url(interview, junk)).status_code == 404
    interview.refresh_from_db()
    assert interview.status == S.SENT


@pytest.mark.parametrize("value", QUERY_JUNK)
def test_candidate_page_ignores_or_refuses_junk_query_parameters(client, sent_interview, value):
    interview = sent_interview()
    response = client.get(page_url(interview, f"?page={value}&q={value}"))
    expected = 400 if "%00" in value else 200
    assert response.status_code == expected


def test_candidate_page_query_nul_is_a_400_page_naming_the_parameter(client, sent_interview):
    response = client.get(page_url(sent_interview(), "?utm_source=%00"))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Query parameter &#x27;utm_source&#x27; must not contain NUL" in response.text


# Recordings: /recordings/<token>/chunks/<seq>, /consent, /file/<signed token>


@pytest.mark.parametrize("token", HOSTILE_TOKENS)
def test_recording_chunk_and_consent_answer_404_for_a_hostile_token(client, db, token):
    chunk = client.post(f"/recordings/{token}/chunks/0", b"\x1a\x45", content_type="video/webm")
    consent = client.post(
        f"/recordings/{token}/consent", {"consent": "given"}, content_type="application/json"
    )
    assert chunk.status_code == 404
    assert consent.status_code == 404
    assert Recording.objects.count() == 0


@pytest.mark.parametrize("seq", ["%00", "0%00", "%ED%A0%80", "9" * 5000, "-1", "0x10", "%C0%80"])
def test_recording_chunk_refuses_a_hostile_sequence_number(client, sent_interview, seq):
    interview = sent_interview()
    response = client.post(
        f"/recordings/{interview.candidate_token}/chunks/{seq}",
        b"\x1a\x45",
        content_type="video/webm",
    )
    assert response.status_code == (404 if "%00" in seq else 400)
    assert Recording.objects.count() == 0


@pytest.mark.parametrize("token", HOSTILE_TOKENS)
def test_recording_file_link_refuses_a_hostile_token(client, db, token):
    response = client.get(f"/recordings/file/{token}")
    # A NUL, or a slash that no route takes, is a 404; any other junk fails the signature.
    assert response.status_code == (404 if "%00" in token or "%2F" in token else 403)


# Reports: /reports/<token> and the legacy /api/report/<partner_interview_id>


@pytest.mark.parametrize("token", HOSTILE_TOKENS)
@pytest.mark.parametrize("accept", ["text/html", "application/json"])
@pytest.mark.parametrize("prefix", ["/reports/", "/api/report/"])
def test_report_answers_404_for_a_hostile_id(client, db, prefix, token, accept):
    response = client.get(f"{prefix}{token}", HTTP_ACCEPT=accept)
    assert response.status_code == 404
    # The site's 404 handler answers JSON under /api/; the report view itself on Accept.
    routed = "%00" not in token and "%2F" not in token
    if accept == "application/json" and (routed or prefix.startswith("/api/")):
        assert response.json()["error"] == "not_found"


def test_report_query_nul_is_a_400_json(client, db):
    response = client.get("/api/report/x?format=%00", HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "error": "bad_request",
        "message": "Query parameter 'format' must not contain NUL characters or unpaired "
        "surrogates.",
    }


# Greenhouse endpoints


@pytest.mark.parametrize("value", QUERY_JUNK + ["a" * 5000, "%2Fapi%2Freport"])
def test_test_status_partner_interview_id_junk_is_a_4xx(api, value):
    response = api.get(f"/api/greenhouse/test_status?partner_interview_id={value}")
    if "%00" in value:
        assert response.status_code == 400
        assert "partner_interview_id" in response.json()["message"]
    elif value == "":
        assert response.status_code == 400
        assert response.json()["fields"]["partner_interview_id"]
    else:
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/greenhouse/list_tests"),
        ("post", "/api/greenhouse/send_test"),
        ("get", "/api/greenhouse/test_status"),
        ("post", "/api/greenhouse/response_error"),
    ],
)
@pytest.mark.parametrize("query", ["?x=%00", "?%00=1", "?partner_interview_id=%00&x=1"])
def test_greenhouse_endpoints_refuse_a_nul_in_the_query_with_a_json_400(
    api, send_body, method, path, query
):
    if method == "get":
        response = api.get(path + query)
    else:
        response = api.post(path + query, send_body(), format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "bad_request"
    assert Interview.objects.count() == 0


@pytest.mark.parametrize("junk", ["%00", "list_tests%00", "list_tests/%00", "%ED%A0%80"])
def test_greenhouse_hostile_path_is_a_json_404(api, junk):
    response = api.get(f"/api/greenhouse/{junk}")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "message": "No such endpoint."}


@pytest.mark.parametrize("raw_key", ["mhr_\x00" + "a" * 40, "\x00", "mhr_%00", "mhr_" + "a" * 5000])
def test_a_hostile_api_key_is_a_401(client_for, db, raw_key):
    response = client_for(raw_key=raw_key).get("/api/greenhouse/list_tests")
    assert response.status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"partner_interview_id": "a\u0000b", "api_call": "test_status", "errors": ["x"]},
        {"partner_interview_id": "%00", "api_call": "test_status", "errors": ["x"]},
        {"partner_interview_id": "a" * 5000, "api_call": "test_status", "errors": ["x"]},
    ],
)
def test_response_error_hostile_ids_are_a_4xx(api, body):
    response = api.post("/api/greenhouse/response_error", body, format="json")
    assert_not_a_server_error(response)
    if "\x00" in body["partner_interview_id"]:
        assert response.status_code == 400


# Ashby endpoints


@pytest.mark.parametrize("method", ["assessment.list", "assessment.start", "assessment.cancel"])
def test_ashby_query_nul_is_a_400_in_ashbys_envelope(api, method):
    response = api.post(f"/api/ashby/{method}?x=%00", {}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False
    assert "Query parameter 'x'" in body["errorInfo"]["message"]


@pytest.mark.parametrize("junk", ["%00", "assessment.cancel%00", "assessment.%00", "%C0%80"])
def test_ashby_hostile_path_is_a_404_in_ashbys_envelope(api, junk):
    response = api.post(f"/api/ashby/{junk}", {}, format="json")
    assert response.status_code == 404
    assert response.json()["success"] is False


@pytest.mark.parametrize("assessment_id", ["a\u0000", "%00", "\ud800", "a" * 5000, 12, None])
def test_ashby_cancel_hostile_ids_are_a_4xx(api, assessment_id):
    raw = json.dumps({"assessment_id": assessment_id})
    response = api.post("/api/ashby/assessment.cancel", raw, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert response.json()["success"] is False


# Headers, cookies and forms anywhere


def test_a_nul_in_the_session_cookie_is_a_400(db):
    # A quoted cookie may spell NUL as \000; Django's cookie parser decodes it.
    response = Client().get("/admin/", HTTP_COOKIE='sessionid="abcdefghij\\000klmnop"')
    assert response.status_code == 400
    assert "A cookie must not contain NUL" in response.text


def test_a_nul_in_a_header_is_a_400(client, db):
    response = client.get("/", HTTP_USER_AGENT="evil\x00agent")
    assert response.status_code == 400
    assert "Header User-Agent" in response.text


def test_admin_login_form_with_a_nul_is_a_400(client, db):
    response = client.post("/admin/login/", "username=%00&password=x", content_type=FORM)
    assert response.status_code == 400
    assert "username must not contain NUL" in response.text


def test_admin_action_with_a_nul_selection_is_a_400(admin_client, sent_interview):
    interview = sent_interview()
    form = urlencode({"action": "delete_selected", "_selected_action": "\x00", "index": "0"})
    response = admin_client.post("/admin/assessments/interview/", form, content_type=FORM)
    assert response.status_code == 400
    assert Interview.objects.filter(pk=interview.pk).exists()


@pytest.mark.parametrize("selected", ["abc", "12x", "1" * 30, "-1", "\u0663", ""])
@pytest.mark.parametrize("action", ["delete_selected", "cancel_interviews"])
def test_admin_action_with_a_non_numeric_selection_is_a_400(
    admin_client, sent_interview, action, selected
):
    interview = sent_interview()
    form = urlencode(
        {"action": action, "_selected_action": [str(interview.pk), selected], "index": "0"},
        doseq=True,
    )
    response = admin_client.post("/admin/assessments/interview/", form, content_type=FORM)
    assert response.status_code == 400
    interview.refresh_from_db()
    assert interview.status == Interview.Status.SENT


# Admin changelists, every registered model, logged in as a superuser


def changelists() -> list[tuple[str, list[str]]]:
    rows = []
    for model, model_admin in admin.site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        filters = [f for f in model_admin.list_filter if isinstance(f, str)]
        filters += [f[0] for f in model_admin.list_filter if isinstance(f, tuple)]
        rows.append((url, filters))
    return rows


def filter_params(filters: list[str]) -> list[str]:
    params = ["status", "q", "o", "p", "page", "e", "_popup", "_to_field", "all"]
    for name in filters:
        params += [name, f"{name}__exact", f"{name}__id__exact", f"{name}__gte", f"{name}__isnull"]
    return params


def test_admin_changelists_refuse_a_nul_in_every_parameter_with_a_400(admin_client, db):
    checked = 0
    for url, filters in changelists():
        for param in filter_params(filters):
            response = admin_client.get(f"{url}?{param}=%00")
            assert response.status_code == 400, (url, param, response.status_code)
            checked += 1
    assert checked > 50


# 18 digits: SQLite cannot bind an integer past 2**63 to a foreign-key filter (Django's
# related lookups lack the overflow check its integer lookups have); PostgreSQL can.
@pytest.mark.parametrize("value", ["9" * 18, "-1%27%22%3C%ED%A0%80"])
def test_admin_changelists_survive_junk_in_every_parameter(admin_client, sent_interview, value):
    sent_interview()
    for url, filters in changelists():
        for param in filter_params(filters):
            response = admin_client.get(f"{url}?{param}={value}")
            # 200, Django's 302 to ?e=1 for a lookup it cannot use, or its 400 for an
            # unknown _to_field.
            assert response.status_code in (200, 302, 400), (url, param, response.status_code)


@pytest.mark.parametrize(
    "query",
    [
        "sent_at__year=99999999999&sent_at__month=13&sent_at__day=40",
        "sent_at__year=2026&sent_at__month=99999999999999999999",
        "sent_at__year=9999",
        "sent_at__year=9999&sent_at__month=12",
        "sent_at__year=9999&sent_at__month=12&sent_at__day=31",
        "sent_at__year=0",
        "sent_at__year=-5",
        "o=999999999.-1.abc",
        "p=99999999999999999999999999",
        "organization__id__exact=" + "9" * 5000,
        "test__id__exact=99999999999999999999999999999",
        "q=" + "%F0%9F%92%A9" * 500,
    ],
)
def test_admin_interview_changelist_survives_out_of_range_values(
    admin_client, sent_interview, query
):
    sent_interview()
    response = admin_client.get(f"/admin/assessments/interview/?{query}")
    assert response.status_code in (200, 302)
    deliveries = admin_client.get(
        "/admin/delivery/delivery/?" + query.replace("sent_at", "created_at")
    )
    assert deliveries.status_code in (200, 302)


# Range headers on recording links


@pytest.fixture
def recording_link(local_media, sent_interview):
    """A processed recording in local storage and its signed link (path only)."""
    data = bytes(range(256)) * 40  # 10,240 bytes
    recording = Recording.objects.create(
        interview=sent_interview(), status=Recording.Status.PROCESSED, size_bytes=len(data)
    )
    recording.file_name = default_storage.save(
        f"recordings/{recording.storage_key}.webm", ContentFile(data)
    )
    recording.save(update_fields=["file_name"])
    url = link_create(storage_key=recording.storage_key, file_name=recording.file_name)
    return url.removeprefix(settings.MARIOHR_BASE_URL), data


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=10-19", 10, 19),
        ("bytes=0-0", 0, 0),
        ("bytes=10240-", None, None),  # starts at the end: 416
        ("bytes=-100", 10140, 10239),
        ("bytes=100-", 100, 10239),
        ("bytes=100-" + "9" * 5000, 100, 10239),  # past the end: clamped
        ("bytes=-" + "9" * 5000, 0, 10239),  # a suffix longer than the file: all of it
        ("BYTES=5-9", 5, 9),
        ("bytes=0000000000000000000000000000005-9", 5, 9),
    ],
)
def test_range_is_answered_within_the_file(client, recording_link, header, start, end):
    path, data = recording_link
    response = client.get(path, HTTP_RANGE=header)
    if start is None:
        assert response.status_code == 416
        assert response["Content-Range"] == f"bytes */{len(data)}"
        return
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {start}-{end}/{len(data)}"
    assert response.content == data[start : end + 1]


@pytest.mark.parametrize(
    "header",
    ["bytes=" + "9" * 5000 + "-", "bytes=" + "9" * 5000 + "-" + "9" * 5001, "bytes=-0"],
)
def test_unsatisfiable_range_is_a_416_with_the_size(client, recording_link, header):
    path, data = recording_link
    response = client.get(path, HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(data)}"


@pytest.mark.parametrize(
    "header",
    [
        "bytes=abc-def",
        "bytes=1-2,5-6",
        "bytes=--5",
        "bytes=20-10",
        "items=0-10",
        "bytes=-",
        "bytes 0-10",
        "bytes=0x10-0x20",
        "bytes=\u0661-\u0662",  # Arabic-Indic digits: \d matches them, int() reads them
        "bytes=" + "9" * 5000,
    ],
)
def test_malformed_range_is_ignored_and_the_whole_file_sent(client, recording_link, header):
    path, data = recording_link
    response = client.get(path, HTTP_RANGE=header)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data


# Candidate-supplied URLs: http and https only


def started(client, interview):
    assert client.post(page_url(interview, "/start")).status_code == 302
    interview.refresh_from_db()
    return interview


HOSTILE_URLS = [
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "https:alert(1)",
    "//evil.example/x",
    "localhost:3000/review",
]


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_autosave_refuses_a_non_http_solution_url_naming_the_field(client, sent_interview, url):
    interview = started(client, sent_interview())
    response = client.post(
        page_url(interview, "/answers"),
        json.dumps({"answers": {"solution_url": url, "notes": "n"}}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["solution_url"]
    assert "https://" in response.json()["message"]
    # The refused link costs the notes nothing: they are stored, and the page is told so.
    assert response.json()["saved"] == ["notes"]
    assert list(Answer.objects.filter(interview=interview).values_list("key", flat=True)) == [
        "notes"
    ]


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_submit_refuses_a_non_http_solution_url_naming_the_field(client, sent_interview, url):
    interview = started(client, sent_interview())
    form = urlencode({"solution_url": url, "notes": "n"})
    response = client.post(page_url(interview, "/submit"), form, content_type=FORM)
    assert response.status_code == 400
    assert "solution_url must be a link starting with https://" in response.text
    assert "your other answers are saved" in response.text
    interview.refresh_from_db()
    assert interview.status == S.IN_PROGRESS
    assert list(Answer.objects.filter(interview=interview).values_list("key", flat=True)) == [
        "notes"
    ]


@pytest.mark.parametrize(
    "url", ["https://github.com/ada/review", "HTTP://example.com/x?y=1#z", "  https://x.io/ "]
)
def test_http_solution_urls_are_saved_trimmed(client, sent_interview, url):
    interview = started(client, sent_interview())
    response = client.post(
        page_url(interview, "/answers"),
        json.dumps({"answers": {"solution_url": url}}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert Answer.objects.get(interview=interview, key="solution_url").value == url.strip()


def test_clearing_the_solution_url_is_allowed(client, sent_interview):
    interview = started(client, sent_interview())
    form = urlencode({"solution_url": "", "notes": "done"})
    response = client.post(page_url(interview, "/submit"), form, content_type=FORM)
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.status == S.SUBMITTED


@pytest.mark.parametrize("url", HOSTILE_URLS[:5])
def test_scoring_page_shows_a_stored_script_url_as_text_never_a_link(
    admin_client, client, sent_interview, url
):
    # Stored before validation existed (or by any other path): the page must still be safe.
    interview = started(client, sent_interview())
    Answer.objects.create(interview=interview, key="solution_url", value=url, saved_at=now())
    interview_submit(interview=Interview.objects.get(pk=interview.pk))
    response = admin_client.get(f"/admin/assessments/interview/{interview.pk}/score/")
    assert response.status_code == 200
    page = response.text
    assert '<a href="javascript' not in page.lower().replace("\t", "")
    for scheme in ("javascript:", "data:", "vbscript:"):
        assert f'href="{scheme}' not in page.lower().replace("\t", "").replace(" ", "")
    assert "alert(" in page or "base64" in page  # shown, as text


def test_scoring_page_links_an_https_solution_url(admin_client, client, sent_interview):
    interview = started(client, sent_interview())
    save = client.post(
        page_url(interview, "/answers"),
        json.dumps({"answers": {"solution_url": "https://github.com/ada/pr/1"}}),
        content_type="application/json",
    )
    assert save.status_code == 200
    assert client.post(page_url(interview, "/submit"), "", content_type=FORM).status_code == 302
    response = admin_client.get(f"/admin/assessments/interview/{interview.pk}/score/")
    assert response.status_code == 200
    assert (
        '<a href="https://github.com/ada/pr/1" rel="noopener noreferrer" target="_blank">'
        in response.text
    )
