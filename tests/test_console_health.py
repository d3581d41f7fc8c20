"""The integration health page of one organization: the latest failure of each failing endpoint
in plain words (from real answers of a real HTTPS receiver), the traffic light's states, keys,
stuck interviews, the last inbound call, and who may see the page."""

import html
import re
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from werkzeug import Response

import integrations.health_admin  # noqa: F401  (until integrations/admin.py imports it)
from assessments import services as lifecycle
from assessments.models import Interview
from integrations import health
from integrations.delivery.models import Delivery, DeliveryAttempt
from integrations.delivery.services import delivery_attempt
from integrations.keys import api_key_revoke
from integrations.models import ApiKey
from tests import delivery_helpers as helpers
from tests import request_log_helpers
from tests.delivery_helpers import receiver_url

pytestmark = pytest.mark.django_db
logged = request_log_helpers.logged
tls_ca, ca_file, receiver = helpers.tls_ca, helpers.ca_file, helpers.receiver
outbound_org, make_interview = helpers.outbound_org, helpers.make_interview
S = Interview.Status
GREENHOUSE = "Greenhouse-compatible API"


def staff(*codenames: str):
    user = get_user_model().objects.create_user(
        f"staff-{len(codenames)}-{'-'.join(codenames)}"[:150], is_staff=True
    )
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def viewer():
    """View-only staff: may look at organizations and deliveries, change nothing."""
    return staff("view_organization", "view_delivery")


def health_url(organization) -> str:
    return reverse("admin:assessments_organization_health", args=[organization.pk])


def health_page(client, organization) -> str:
    response = client.get(health_url(organization))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def failing_delivery(receiver, make_interview, answer: Response) -> Delivery:
    """A scored interview whose results PATCH the receiver answers with ``answer``."""
    receiver.expect_request("/callback", method="PATCH").respond_with_response(answer)
    interview = make_interview(receiver_url(receiver), status="submitted")
    lifecycle.interview_score(interview=interview, score=Decimal("82"))
    delivery = Delivery.objects.get(interview=interview)
    attempt = delivery_attempt(delivery_id=delivery.pk)
    assert attempt.outcome != DeliveryAttempt.Outcome.SUCCESS
    return delivery


PLAIN_WORDS = {
    401: f"{GREENHOUSE} answered 401: the outbound credentials are wrong; set them here.",
    403: f"{GREENHOUSE} answered 403: the outbound credentials are wrong; set them here.",
    404: f"{GREENHOUSE} answered 404: it does not know the callback URL",
    410: f"{GREENHOUSE} answered 410: it asked MarioHR to stop sending to this URL.",
    422: f"{GREENHOUSE} answered 422: it refused what MarioHR sent.",
    429: f"{GREENHOUSE} answered 429: too many requests; MarioHR waits as asked and retries.",
    503: f"{GREENHOUSE} answered 503: an error on {GREENHOUSE}'s side; MarioHR retries.",
    302: f"{GREENHOUSE} answered 302, a redirect: MarioHR does not follow redirects",
}


@pytest.mark.parametrize("status", sorted(PLAIN_WORDS))
def test_health_page_says_the_latest_error_in_plain_words(
    viewer, receiver, make_interview, outbound_org, status
):
    headers = {"Location": "https://elsewhere.example.com/"} if status == 302 else {}
    delivery = failing_delivery(
        receiver, make_interview, Response('{"error": "nope"}', status=status, headers=headers)
    )

    page = health_page(viewer, outbound_org)

    assert PLAIN_WORDS[status] in page
    assert delivery.endpoint in page
    if status in (401, 403):
        link = 'class="health-settings-link" href="/admin/greenhouse/greenhousesettings/'
        assert link in page


def test_an_unreachable_receiver_is_said_to_be_unreachable(
    viewer, receiver, make_interview, outbound_org
):
    interview = make_interview(receiver_url(receiver), status="submitted")
    lifecycle.interview_score(interview=interview, score=Decimal("82"))
    receiver.stop()  # nothing listens on that port any more

    delivery_attempt(delivery_id=Delivery.objects.get(interview=interview).pk)

    assert f"{GREENHOUSE} could not be reached:" in health_page(viewer, outbound_org)


@pytest.mark.parametrize(
    "case, expected",
    [
        (
            {"status_code": None, "error": "Ashby API key not set.", "credentials_problem": True},
            "Nothing was sent: the credentials for Ashby are not set (Ashby API key not set.); "
            "set them here.",
        ),
        (
            {
                "status_code": None,
                "error": "Blocked by the SSRF guard: URL resolves to a private address.",
                "credentials_problem": False,
            },
            "MarioHR refused to call the callback URL: it points to a private or reserved "
            "address (URL resolves to a private address.).",
        ),
        (
            {
                "status_code": None,
                "error": "Timed out: no complete answer within 15 s.",
                "credentials_problem": False,
            },
            "Ashby did not answer in time; MarioHR retries.",
        ),
        (
            {"status_code": 200, "error": "success: false", "credentials_problem": False},
            "Ashby answered 200 but reported a failure: success: false.",
        ),
    ],
)
def test_failures_without_an_http_error_are_explained(case, expected):
    assert health.failure_explained(ats_label="Ashby", **case).startswith(expected)


# --- the traffic light ----------------------------------------------------------------------


def light_on_page(client, organization) -> str:
    page = client.get(health_url(organization)).content.decode()
    for light in health.LIGHT_LABELS:
        if f'class="health-light health-{light}" id="health-light"' in page:
            return light
    raise AssertionError("no traffic light on the page")


def light_in_list(client, organization) -> str:
    page = client.get(reverse("admin:assessments_organization_changelist")).content.decode()
    url = health_url(organization)
    for light in health.LIGHT_LABELS:
        if f'class="health-light health-{light}" href="{url}"' in page:
            return light
    raise AssertionError("no traffic light in the list")


def make_delivery(organization, interview, **fields) -> Delivery:
    now = timezone.now()
    return Delivery.objects.create(
        organization=organization,
        interview=interview,
        kind="results_patch",
        target_url="https://ats.example.com/cb",
        endpoint="https://ats.example.com",
        next_attempt_at=fields.pop("next_attempt_at", now),
        **fields,
    )


@pytest.fixture
def sent(org, catalog):
    interview, _ = lifecycle.interview_send(
        organization=org,
        test=catalog["py-fastapi-review"],
        candidate=lifecycle.CandidateData(first_name="Ann", last_name="Lee", email="a@x.test"),
        source="greenhouse",
        callback_url="https://ats.example.com/cb/1",
    )
    return interview


LIGHT_CASES = {
    "healthy": ({"status": Delivery.Status.SUCCEEDED}, "green"),
    "retrying": ({"status": Delivery.Status.RETRYING, "attempt_count": 1}, "amber"),
    "credentials refused": (
        {"status": Delivery.Status.RETRYING, "attempt_count": 1, "credentials_problem": True},
        "red",
    ),
    "gave up today": ({"status": Delivery.Status.FAILED, "attempt_count": 9}, "red"),
    "gave up last week": (
        {
            "status": Delivery.Status.FAILED,
            "attempt_count": 9,
            "next_attempt_at": timezone.now() - timedelta(days=7),
        },
        "green",
    ),
}


@pytest.mark.parametrize("case", LIGHT_CASES)
def test_traffic_light_on_the_page_the_list_and_the_front_page_agree(admin_client, org, sent, case):
    fields, light = LIGHT_CASES[case]
    make_delivery(org, sent, **fields)

    assert light_on_page(admin_client, org) == light
    assert light_in_list(admin_client, org) == light
    summary = health.organizations_by_health()
    assert summary.counts[light] == 1
    assert sum(summary.counts.values()) == 1


@pytest.mark.parametrize(
    "state, change, stuck",
    [
        ("sent", {"expires_at": timedelta(minutes=-11)}, True),
        ("sent", {"expires_at": timedelta(minutes=-5)}, False),
        ("in_progress", {"started_at": timedelta(minutes=-250), "minutes": 120}, True),
        ("in_progress", {"started_at": timedelta(minutes=-200), "minutes": 120}, False),
        ("submitted", {"submitted_at": timedelta(days=-3)}, True),
        ("submitted", {"submitted_at": timedelta(days=-1)}, False),
    ],
)
def test_a_stuck_interview_turns_the_light_amber(admin_client, org, sent, state, change, stuck):
    now = timezone.now()
    fields = {"status": state}
    if "minutes" in change:
        started = now + change["started_at"]
        fields.update(started_at=started, expires_at=started + timedelta(minutes=change["minutes"]))
    else:
        fields.update({name: now + delta for name, delta in change.items()})
    Interview.objects.filter(pk=sent.pk).update(**fields)

    assert light_on_page(admin_client, org) == ("amber" if stuck else "green")
    assert light_in_list(admin_client, org) == ("amber" if stuck else "green")
    page = health_page(admin_client, org)
    expected_count = 1 if stuck else 0
    assert f"<strong>{expected_count}</strong> {health_admin_words(state)}" in page


def health_admin_words(state: str) -> str:
    return integrations.health_admin.STUCK_WORDS[state]


def test_an_organization_without_an_active_key_is_not_connected(admin_client, org):
    for key in ApiKey.objects.filter(organization=org):
        api_key_revoke(api_key=key)

    assert light_on_page(admin_client, org) == "grey"
    assert light_in_list(admin_client, org) == "grey"
    page = health_page(admin_client, org)
    assert "No active API key: the ATS cannot call MarioHR." in page
    assert "revoked" in page


def test_keys_show_their_age_and_last_use(admin_client, org):
    key = ApiKey.objects.get(organization=org)
    ApiKey.objects.filter(pk=key.pk).update(
        created_at=timezone.now() - timedelta(days=40),
        last_used_at=timezone.now() - timedelta(hours=3),
    )

    page = health_page(admin_client, org)

    assert f"{key.prefix}… ({key.name})" in page
    assert "1\xa0month" in page  # the key's age
    assert "3\xa0hours ago" in page  # its last use


def test_last_inbound_call_and_deliveries_per_ats(admin_client, api, org, send_body, logged):
    response = api.post("/api/greenhouse/send_test", send_body(), format="json")
    assert response.status_code == 200
    assert len(logged()) == 1
    interview = Interview.objects.get(organization=org)
    make_delivery(org, interview, status=Delivery.Status.SUCCEEDED)

    page = health_page(admin_client, org)

    assert GREENHOUSE in page
    row = page.split('id="health-ats"')[1].split("</table>")[0]
    assert "POST greenhouse-send-test →" in " ".join(row.split()), row
    assert '<span class="health-light health-green">200</span>' in row
    assert "none logged" not in row


def test_an_organization_nobody_called_says_so(admin_client, org):
    page = health_page(admin_client, org)
    assert "No ATS has called MarioHR for this organization" in page
    assert "No endpoint of this organization is failing." in page


# --- who may see it -------------------------------------------------------------------------


def test_view_only_staff_see_the_health_page(viewer, org):
    assert viewer.get(health_url(org)).status_code == 200


def test_staff_who_may_not_view_organizations_are_refused(org):
    refused = staff("view_delivery", "view_interview")
    assert refused.get(health_url(org)).status_code == 403
    # The same answer for an id that is no row: nobody learns which ids exist.
    missing = reverse("admin:assessments_organization_health", args=[org.pk + 999])
    assert refused.get(missing).status_code == 403


@pytest.mark.parametrize("bad", ["abc", "12x", "-1", "9" * 30])
def test_an_id_that_is_no_row_is_a_404(admin_client, bad):
    assert admin_client.get(f"/admin/assessments/organization/{bad}/health/").status_code == 404


def test_the_organization_page_links_to_its_health_page(viewer, org):
    change = reverse("admin:assessments_organization_change", args=[org.pk])
    assert health_url(org) in viewer.get(change).content.decode()


def test_the_light_column_costs_no_query_per_row(admin_client, make_org):
    url = reverse("admin:assessments_organization_changelist")
    make_org("first")
    admin_client.get(url)  # sessions, permissions and content types are cached from here on
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    for n in range(6):
        make_org(f"more-{n}")
    with CaptureQueriesContext(connection) as many:
        page = admin_client.get(url).content.decode()

    assert len(many) == len(few)
    assert page.count('class="health-light health-green"') == 7


# --- the links open exactly what was counted ------------------------------------------------

# (state, fields relative to now) for interviews stuck and not stuck in each state; the
# in-progress ones say when they started and their time limit in minutes.
STUCK_SHAPES = [
    (S.SENT, {"expires_at": timedelta(minutes=-11)}, True),
    (S.SENT, {"expires_at": timedelta(minutes=-5)}, False),
    (S.SENT, {"expires_at": timedelta(days=3)}, False),
    (S.IN_PROGRESS, {"started_at": timedelta(minutes=-250), "minutes": 120}, True),
    (S.IN_PROGRESS, {"started_at": timedelta(minutes=-200), "minutes": 120}, False),
    (S.IN_PROGRESS, {"started_at": timedelta(minutes=-130), "minutes": 60}, True),
    (S.SUBMITTED, {"submitted_at": timedelta(days=-3)}, True),
    (S.SUBMITTED, {"submitted_at": timedelta(days=-1)}, False),
]


def shaped_interviews(organization, catalog) -> set[int]:
    """Interviews of every shape in STUCK_SHAPES; returns the stuck ones' ids."""
    now, stuck = timezone.now(), set()
    for number, (state, change, is_stuck) in enumerate(STUCK_SHAPES):
        interview, _ = lifecycle.interview_send(
            organization=organization,
            test=catalog["py-fastapi-review"],
            candidate=lifecycle.CandidateData(
                first_name="Ann", last_name=f"Lee{number}", email=f"a{number}@x.test"
            ),
            source="greenhouse",
            callback_url=f"https://ats.example.com/stuck/{number}",
        )
        fields = {"status": state}
        if "minutes" in change:
            started = now + change["started_at"]
            fields.update(
                started_at=started, expires_at=started + timedelta(minutes=change["minutes"])
            )
        else:
            fields.update({name: now + delta for name, delta in change.items()})
        Interview.objects.filter(pk=interview.pk).update(**fields)
        if is_stuck:
            stuck.add(interview.pk)
    return stuck


def counted_links(page: str) -> dict[str, tuple[int, str]]:
    """{state: (count shown, link)} from the stuck-interview rows of a page."""
    found = {}
    for state, words in integrations.health_admin.STUCK_WORDS.items():
        match = re.search(rf'<a href="([^"]+)"><strong>(\d+)</strong> {re.escape(words)}</a>', page)
        assert match, f"no row for {state}"
        found[state] = (int(match.group(2)), match.group(1))
    return found


def rows_opened(client, url: str) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200, response
    return {interview.pk for interview in response.context_data["cl"].result_list}


def test_the_health_pages_stuck_links_open_exactly_the_interviews_counted(
    admin_client, org, other_org, catalog
):
    stuck = shaped_interviews(org, catalog)
    shaped_interviews(other_org, catalog)  # stuck too, but another organization's
    links = counted_links(health_page(admin_client, org))

    for state, (count, url) in links.items():
        expected = set(
            Interview.objects.filter(pk__in=stuck, status=state).values_list("pk", flat=True)
        )
        assert rows_opened(admin_client, url) == expected
        assert count == len(expected) > 0


def test_the_stuck_filter_reads_the_rule_as_of_the_moment_in_the_link(admin_client, org, catalog):
    stuck = shaped_interviews(org, catalog)
    now = timezone.now()
    sent = Interview.objects.filter(organization=org, status=S.SENT, expires_at__lt=now)
    stuck_sent = sent.filter(pk__in=stuck).get()
    borderline = sent.exclude(pk__in=stuck).get()  # expired 5 minutes ago, 10 are allowed
    interviews = reverse("admin:assessments_interview_changelist")
    later = urlencode({"stuck": "sent", "stuck_as_of": (now + timedelta(minutes=6)).isoformat()})

    assert rows_opened(admin_client, f"{interviews}?{later}") == {stuck_sent.pk, borderline.pk}
    # Chosen in the sidebar, the filter is as of now.
    page = admin_client.get(f"{interviews}?stuck=sent")
    assert {i.pk for i in page.context_data["cl"].result_list} == {stuck_sent.pk}
    assert "By stuck in a state" in page.content.decode()


def test_the_front_pages_stuck_links_open_exactly_the_interviews_counted(
    admin_client, org, other_org, catalog
):
    stuck = shaped_interviews(org, catalog) | shaped_interviews(other_org, catalog)
    page = html.unescape(admin_client.get(reverse("admin:index")).content.decode())
    panel = page.split('id="panel-stuck_interviews"')[1].split("</section>")[0]

    for state, (count, url) in counted_links(panel).items():
        expected = set(
            Interview.objects.filter(pk__in=stuck, status=state).values_list("pk", flat=True)
        )
        assert rows_opened(admin_client, url) == expected
        assert count == len(expected) > 0


def test_the_front_pages_failed_link_opens_the_last_days_failures(admin_client, org, sent):
    today = make_delivery(org, sent, status=Delivery.Status.FAILED, attempt_count=9)
    make_delivery(
        org,
        sent,
        status=Delivery.Status.FAILED,
        attempt_count=9,
        next_attempt_at=timezone.now() - timedelta(days=7),
    )
    page = html.unescape(admin_client.get(reverse("admin:index")).content.decode())
    match = re.search(
        r'<a href="([^"]+)"><strong>(\d+)</strong> gave up in the last 24 hours', page
    )
    assert match and match.group(2) == "1"
    opened = admin_client.get(match.group(1))
    assert opened.status_code == 200
    assert [delivery.pk for delivery in opened.context_data["cl"].result_list] == [today.pk]


@pytest.mark.parametrize(
    "query",
    [
        "stuck=nope",
        "stuck=sent&stuck_as_of=yesterday",
        "stuck=sent&stuck_as_of=0001-01-01T00:00:00",
        "stuck=sent&stuck_as_of=9999-12-31T23:59:59%2B14:00",
        "stuck=sent&stuck_as_of=2026-13-45T99:00:00",
        "stuck=%00&stuck_as_of=%00",
    ],
)
def test_a_bad_stuck_filter_is_the_lists_invalid_filter_page_never_a_500(admin_client, query):
    url = reverse("admin:assessments_interview_changelist")
    response = admin_client.get(f"{url}?{query}")
    if "%00" in query:  # refused before the admin by the project's NUL-byte guard
        assert response.status_code == 400
    else:
        assert response.status_code == 302 and response["Location"].endswith("?e=1")


def test_view_only_staff_open_the_stuck_links(org, catalog):
    stuck = shaped_interviews(org, catalog)
    client = staff("view_organization", "view_interview")
    for state, (_, url) in counted_links(health_page(client, org)).items():
        assert rows_opened(client, url) == set(
            Interview.objects.filter(pk__in=stuck, status=state).values_list("pk", flat=True)
        )
