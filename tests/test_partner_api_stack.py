"""Partner API calls take a shorter middleware stack (mariohr/partner_api_stack.py): what
shapes their responses stays, the browser-only middleware is skipped."""

import pytest
from django.conf import settings
from rest_framework.test import APIClient

LIST = "/api/greenhouse/list_tests"


def test_the_partner_stack_keeps_every_response_shaping_middleware():
    kept = set(settings.MARIOHR_PARTNER_API_MIDDLEWARE)
    assert kept <= set(settings.MIDDLEWARE)
    assert {
        "django.middleware.security.SecurityMiddleware",
        "mariohr.csp.ContentSecurityPolicyMiddleware",
        "mariohr.middleware.RefuseUnstorableInputMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    } <= kept
    # Same relative order as the full stack.
    assert [m for m in settings.MIDDLEWARE if m in kept] == settings.MARIOHR_PARTNER_API_MIDDLEWARE


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", LIST), ("post", "/api/ashby/assessment.list")],
)
def test_partner_api_responses_carry_the_security_headers(api, method, path):
    response = getattr(api, method)(path, {}, format="json") if method == "post" else api.get(path)
    assert response.status_code == 200
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    # No session or CSRF machinery ran: nothing varies on or sets a cookie.
    assert "Cookie" not in response.headers.get("Vary", "")
    assert not response.cookies


def test_partner_api_is_redirected_to_https_when_required(api, settings):
    settings.SECURE_SSL_REDIRECT = True
    client = APIClient()
    client.credentials(**api._credentials)
    response = client.get(LIST)
    assert response.status_code == 301
    assert response.headers["Location"].startswith("https://")


def test_partner_api_refuses_a_nul_in_a_header(api):
    response = api.get(LIST, HTTP_X_JUNK="a\x00b")
    assert response.status_code == 400


def test_pages_keep_the_full_stack(client, db):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert "csrftoken" in response.cookies
    assert "Cookie" in response.headers["Vary"]
