"""The lists people scan (interviews, the reviewers' queue, deliveries) show status,
candidate, test, ATS and age at 1280x800 in headless Chromium, with no sideways scrolling."""

import os
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

import integrations.health_admin  # noqa: F401  (until integrations/admin.py imports it)
from assessments.models import Candidate, Interview
from integrations.delivery.models import Delivery
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, chromium_ensure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
VIEWPORT = {"width": 1280, "height": 800}
S = Interview.Status

LISTS = {
    "interviews": ("/admin/assessments/interview/", ["Status", "Candidate", "Test", "ATS", "Age"]),
    "to review": ("/admin/assessments/interviewtoreview/", ["Candidate", "Test", "ATS", "Waiting"]),
    "deliveries": ("/admin/delivery/delivery/", ["Status", "Candidate", "Test", "ATS", "Age"]),
    "organizations": ("/admin/assessments/organization/", ["Name", "Integration health"]),
    "front page": ("/admin/", []),
}
# Whether anything is wider than the window, or a list's own scroll box is wider than itself.
OVERFLOW = """() => {
  const page = document.documentElement.scrollWidth - window.innerWidth;
  const box = document.querySelector("#changelist .results");
  return {page: page, list: box ? box.scrollWidth - box.clientWidth : 0,
          headers: [...document.querySelectorAll("#result_list thead th")].map(
            (th) => th.textContent.trim())};
}"""


@pytest.fixture(scope="module")
def browser():
    chromium_ensure()
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def admin_page(browser, live_server):
    user = get_user_model().objects.create_superuser("boss", "boss@example.com", "x")
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=VIEWPORT)
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def long_rows(organization, catalog) -> None:
    """Rows with the longest values people really have: names, emails, test names."""
    now = timezone.now()
    tests = list(catalog.values())
    for n in range(12):
        candidate = Candidate.objects.create(
            organization=organization,
            first_name="Maximiliana-Josephine",
            last_name=f"Vandenberghe-Oosterhuis {n}",
            email=f"maximiliana.josephine.vandenberghe-oosterhuis{n}@very-long-domain.example.com",
        )
        interview = Interview.objects.create(
            organization=organization,
            test=tests[n % len(tests)],
            candidate=candidate,
            source="greenhouse" if n % 2 else "ashby",
            callback_url=f"https://app.greenhouse.io/integrations/testing_partners/{n}",
            status=S.SUBMITTED if n % 2 else S.IN_PROGRESS,
            sent_at=now - timedelta(days=n + 2),
            submitted_at=now - timedelta(days=n + 1),
            expires_at=now + timedelta(days=1),
            status_changed_at=now - timedelta(days=n),
        )
        Delivery.objects.create(
            organization=organization,
            interview=interview,
            kind="results_patch",
            target_url=interview.callback_url,
            endpoint="https://app.greenhouse.io",
            status=Delivery.Status.RETRYING,
            attempt_count=3,
            last_status_code=503,
            credentials_problem=True,
            next_attempt_at=now,
        )


@pytest.mark.parametrize("name", LISTS)
def test_list_fits_1280_pixels_without_sideways_scrolling(
    admin_page, live_server, make_org, catalog, name
):
    organization = make_org("maximilian-enterprise-holdings", "Maximilian Enterprise Holdings GmbH")
    long_rows(organization, catalog)
    url, columns = LISTS[name]

    admin_page.goto(f"{live_server.url}{url}")
    found = admin_page.evaluate(OVERFLOW)

    assert found["page"] <= 0, found
    assert found["list"] <= 0, found
    for column in columns:
        assert column in found["headers"], found["headers"]
