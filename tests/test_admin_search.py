"""The admin's search on the interviews and deliveries lists: what a term finds, and that on
PostgreSQL it finds it through indexes (a million interviews must not be read per search)."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import Candidate, Interview
from assessments.selectors import SEARCH_PREFIX_LIMIT
from integrations.delivery.models import Delivery, DeliveryAttempt

pytestmark = pytest.mark.django_db
INTERVIEWS = "/admin/assessments/interview/"
DELIVERIES = "/admin/delivery/delivery/"


def interview_add(org, catalog, n: int, *, last_name="Doe", email=None, sent_by=""):
    candidate = Candidate.objects.create(
        organization=org, first_name="C", last_name=last_name, email=email or f"c{n}@x.test"
    )
    interview = Interview.objects.create(
        organization=org,
        test=next(iter(catalog.values())),
        candidate=candidate,
        source="greenhouse",
        callback_url=f"https://ats.example.com/cb/{n}",
        sent_by=sent_by,
        sent_at=timezone.now() - timedelta(days=n),
        expires_at=timezone.now() + timedelta(days=1),
        status_changed_at=timezone.now(),
    )
    delivery = Delivery.objects.create(
        organization=org,
        interview=interview,
        kind="results_patch",
        target_url=interview.callback_url,
        endpoint="https://ats.example.com",
        next_attempt_at=timezone.now(),
        request_id=f"req-delivery-{n}",
    )
    DeliveryAttempt.objects.create(
        delivery=delivery,
        number=1,
        attempted_at=timezone.now(),
        outcome=DeliveryAttempt.Outcome.RETRY,
        request_id=f"req-attempt-{n}",
    )
    return interview


def found(admin_client, url: str, term: str) -> set[int]:
    response = admin_client.get(url, {"q": term})
    assert response.status_code == 200, term
    return {obj.pk for obj in response.context["cl"].result_list}


@pytest.fixture
def three(org, catalog):
    return [
        interview_add(org, catalog, 1, last_name="Smithson", email="Ann.Smith@Example.com"),
        interview_add(org, catalog, 2, last_name="Smith", sent_by="Recruiter@ACME.test"),
        interview_add(org, catalog, 3, last_name="Jones", email="jo@other.test"),
    ]


def test_interview_search_exact_ids_and_urls_and_prefixes(admin_client, three):
    first, second, third = (i.pk for i in three)
    assert found(admin_client, INTERVIEWS, three[2].partner_interview_id) == {third}
    assert found(admin_client, INTERVIEWS, "https://ats.example.com/cb/2") == {second}
    # Case-insensitive prefixes of a last name, a candidate's e-mail, the sender's e-mail.
    assert found(admin_client, INTERVIEWS, "smith") == {first, second}
    assert found(admin_client, INTERVIEWS, "  SMITHS ") == {first}
    assert found(admin_client, INTERVIEWS, "ann.smith@example.COM") == {first}
    assert found(admin_client, INTERVIEWS, "recruiter@acme") == {second}
    # Not a substring search, and a prefix needs three characters: indexes cannot serve more.
    assert found(admin_client, INTERVIEWS, "mith") == set()
    assert found(admin_client, INTERVIEWS, "cb/2") == set()
    assert found(admin_client, INTERVIEWS, "Jo") == set()
    assert found(admin_client, INTERVIEWS, "Jon") == {third}


@pytest.mark.parametrize("term", ["%", "_%", "'; --", "x" * 3000, "💥", "\\"])
def test_interview_search_survives_any_term(admin_client, three, term):
    assert found(admin_client, INTERVIEWS, term) == set()
    assert found(admin_client, DELIVERIES, term) == set()


@pytest.mark.parametrize("url", [INTERVIEWS, DELIVERIES])
def test_a_nul_byte_is_a_clear_400(admin_client, three, url):
    response = admin_client.get(url, {"q": "a\x00b"})
    assert response.status_code == 400


def test_prefix_matches_are_the_newest_ones(admin_client, org, catalog, monkeypatch):
    monkeypatch.setattr("assessments.selectors.SEARCH_PREFIX_LIMIT", 2)
    assert SEARCH_PREFIX_LIMIT > 2
    newest, newer, _ = (interview_add(org, catalog, n, last_name="Many") for n in (1, 2, 3))
    assert found(admin_client, INTERVIEWS, "many") == {newest.pk, newer.pk}


def test_delivery_search(admin_client, three):
    deliveries = {i.pk: Delivery.objects.get(interview=i) for i in three}
    one = deliveries[three[0].pk]
    assert found(admin_client, DELIVERIES, one.webhook_id) == {one.pk}
    assert found(admin_client, DELIVERIES, "req-delivery-1") == {one.pk}
    assert found(admin_client, DELIVERIES, "req-attempt-1") == {one.pk}
    assert found(admin_client, DELIVERIES, one.target_url) == {one.pk}
    assert found(admin_client, DELIVERIES, three[0].partner_interview_id) == {one.pk}
    smiths = {deliveries[three[0].pk].pk, deliveries[three[1].pk].pk}
    assert found(admin_client, DELIVERIES, "Smith") == smiths
    assert found(admin_client, DELIVERIES, "req-attempt") == set()


def test_view_only_staff_may_search(client, three, django_user_model):
    from django.contrib.auth.models import Permission

    viewer = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_interview", "view_delivery"])
    )
    client.force_login(viewer)
    assert found(client, INTERVIEWS, "smith") == {three[0].pk, three[1].pk}
    assert len(found(client, DELIVERIES, "smith")) == 2


SCAN = re.compile(r"(Index Scan|Index Only Scan|Bitmap Index Scan)( Backward)? (using|on) (\w+)")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans are PostgreSQL's")
@pytest.mark.parametrize(
    ("url", "term", "indexes"),
    [
        (INTERVIEWS, "smith", {"candidate_last_name_upper_prefix", "candidate_email_upper_prefix"}),
        (INTERVIEWS, "Recruiter@acme", {"interview_sent_by_upper_prefix"}),
        (INTERVIEWS, "https://ats.example.com/cb/7", {"interview_callback_url_hash"}),
        (DELIVERIES, "smith", {"candidate_last_name_upper_prefix"}),
        (DELIVERIES, "req-attempt-7", {"delivery_attempt_request_id"}),
    ],
)
def test_search_reads_through_indexes(admin_client, org, catalog, url, term, indexes):
    """Thousands of rows, ANALYZEd: were any part of the search unindexed, PostgreSQL would
    read the whole table (a Seq Scan on it in the plan)."""
    for n in range(1500):
        interview_add(org, catalog, n, last_name=f"Name{n}")
    interview_add(org, catalog, 9999, last_name="Smith", sent_by="recruiter@acme.test")
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE assessments_interview, assessments_candidate, delivery_delivery, "
            "delivery_deliveryattempt"
        )
    with CaptureQueriesContext(connection) as captured:
        assert found(admin_client, url, term)
    searches = [q["sql"] for q in captured.captured_queries if " UNION ALL " in q["sql"]]
    assert searches
    with connection.cursor() as cursor:
        for sql in searches:
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            used = {match[3] for match in SCAN.findall(plan)}
            assert indexes <= used, plan
            big = ("assessments_interview", "assessments_candidate", "delivery_delivery")
            assert not [t for t in big if f"Seq Scan on {t}" in plan], plan
