"""Abuse limits on the partner API: a rate per API key and failed authentications per address."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from rest_framework.test import APIClient

from assessments import services
from conftest import basic
from integrations.keys import api_key_issue, api_key_revoke
from integrations.models import ApiKey
from integrations.throttling import ApiKeyRateThrottle, AuthFailureThrottle
from mariohr.client_address import client_address, client_network
from mariohr.settings import envrate
from tests.delivery_helpers import TEST_REDIS_URL, redis_reachable

ROOT = Path(__file__).resolve().parent.parent
WRONG_KEY = "mhr_" + "W" * 43


class Clock:
    """Stands in for the throttle's ``timer`` (a class attribute, like DRF's ``time.time``)."""

    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    # Mid-window of the minute grid, far from the real time so no real window interferes.
    clock = Clock(1_800_000_030.0)
    monkeypatch.setattr(ApiKeyRateThrottle, "timer", clock)
    return clock


@pytest.fixture
def interview(org, catalog):
    interview, _ = services.interview_send(
        organization=org,
        test=catalog["py-fastapi-review"],
        candidate=services.CandidateData(first_name="Ada", last_name="L", email="ada@x.test"),
        source="greenhouse",
        callback_url="https://ats.example.com/cb/1",
    )
    return interview


def status_path(interview) -> str:
    return f"/api/greenhouse/test_status?partner_interview_id={interview.partner_interview_id}"


def ashby_list(client, **extra):
    return client.post("/api/ashby/assessment.list", {}, format="json", **extra)


def with_key(raw_key: str, address: str = "127.0.0.1") -> APIClient:
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=basic(raw_key))
    return client


def assert_429(response) -> int:
    assert response.status_code == 429, response.content
    retry_after = int(response.headers["Retry-After"])
    assert retry_after >= 1
    return retry_after


# Per-key rate


def test_a_key_over_its_rate_gets_429_with_retry_after(api, settings, clock):
    settings.MARIOHR_API_RATE_LIMIT = (3, 60)
    for _ in range(3):
        assert api.get("/api/greenhouse/list_tests").status_code == 200
    response = api.get("/api/greenhouse/list_tests")
    # 30 s into the minute window: it reopens in 30 s.
    assert assert_429(response) == 30
    body = response.json()
    assert body["error"] == "throttled"
    assert "Expected available in 30 seconds" in body["message"]


def test_ashby_answers_429_in_its_envelope(api, settings, clock):
    settings.MARIOHR_API_RATE_LIMIT = (2, 60)
    assert ashby_list(api).status_code == 200
    assert ashby_list(api).status_code == 200
    response = ashby_list(api)
    assert_429(response)
    body = response.json()
    assert body["success"] is False
    assert body["errors"] == ["rate_limit_exceeded"]
    assert body["errorInfo"]["code"] == "rate_limit_exceeded"
    assert body["errorInfo"]["requestId"]
    assert "Expected available" in body["message"]


def test_every_endpoint_counts_against_one_budget_per_key(api, settings, clock, interview):
    settings.MARIOHR_API_RATE_LIMIT = (3, 60)
    assert api.get("/api/greenhouse/list_tests").status_code == 200
    assert api.get(status_path(interview)).status_code == 200
    assert ashby_list(api).status_code == 200
    assert_429(api.get(status_path(interview)))


def test_another_key_of_the_same_organization_has_its_own_budget(api, org, settings, clock):
    settings.MARIOHR_API_RATE_LIMIT = (2, 60)
    _, second_key = api_key_issue(organization=org, name="second integration")
    for _ in range(2):
        assert api.get("/api/greenhouse/list_tests").status_code == 200
    assert_429(api.get("/api/greenhouse/list_tests"))
    assert with_key(second_key).get("/api/greenhouse/list_tests").status_code == 200


def test_the_budget_returns_when_the_window_ends(api, settings, clock):
    settings.MARIOHR_API_RATE_LIMIT = (2, 60)
    for _ in range(2):
        assert api.get("/api/greenhouse/list_tests").status_code == 200
    assert_429(api.get("/api/greenhouse/list_tests"))
    clock.now += 29.5
    assert_429(api.get("/api/greenhouse/list_tests"))
    clock.now += 1
    assert api.get("/api/greenhouse/list_tests").status_code == 200


def test_polling_test_status_30_times_a_second_for_a_minute_is_never_throttled(
    api, settings, clock, interview
):
    """1,800 real requests at the default rate, the throttle's clock stepping 1/30 s each,
    starting mid-window so the minute straddles two windows."""
    settings.MARIOHR_API_RATE_LIMIT = (3000, 60)  # the shipped default, checked below
    path = status_path(interview)
    codes = []
    for _ in range(30 * 60):
        codes.append(api.get(path).status_code)
        clock.now += 1 / 30
    assert codes == [200] * 1800


def test_a_busy_key_writes_the_shared_counter_once_per_percent_of_its_limit(
    api, org, settings, clock
):
    settings.MARIOHR_API_RATE_LIMIT = (1000, 60)
    throttle = ApiKeyRateThrottle()
    counter = throttle.window_key(ApiKey.objects.get(organization=org).pk)
    for _ in range(9):
        assert api.get("/api/greenhouse/list_tests").status_code == 200
    assert throttle.cache.get(counter) is None
    assert api.get("/api/greenhouse/list_tests").status_code == 200
    assert throttle.cache.get(counter) == 10


def test_a_rate_limit_set_off_never_throttles(api, settings, clock):
    settings.MARIOHR_API_RATE_LIMIT = None
    codes = {api.get("/api/greenhouse/list_tests").status_code for _ in range(20)}
    assert codes == {200}


def test_unauthenticated_requests_are_401_not_429(db, settings, clock):
    settings.MARIOHR_API_RATE_LIMIT = (1, 60)
    for _ in range(3):
        assert APIClient().get("/api/greenhouse/list_tests").status_code == 401


# Failed authentications per client address


def test_wrong_keys_from_one_address_are_throttled_even_with_the_right_key(org, settings):
    settings.MARIOHR_AUTH_FAILURE_LIMIT = (3, 300)
    for _ in range(3):
        assert (
            with_key(WRONG_KEY, "198.51.100.7").get("/api/greenhouse/list_tests").status_code == 401
        )
    response = with_key(org.raw_key, "198.51.100.7").get("/api/greenhouse/list_tests")
    assert 1 <= assert_429(response) <= 300
    assert response.json()["error"] == "throttled"
    assert "Too many failed authentications" in response.json()["message"]
    # Ashby's endpoints answer the blocked address in Ashby's envelope.
    blocked = ashby_list(with_key(org.raw_key, "198.51.100.7"))
    assert_429(blocked)
    assert blocked.json()["errors"] == ["rate_limit_exceeded"]
    # Another address is not affected.
    assert (
        with_key(org.raw_key, "198.51.100.8").get("/api/greenhouse/list_tests").status_code == 200
    )


def test_malformed_credentials_count_as_failures(org, settings):
    settings.MARIOHR_AUTH_FAILURE_LIMIT = (2, 300)
    client = APIClient(REMOTE_ADDR="198.51.100.9")
    for header in ("Basic !!!not-base64!!!", basic("not-a-key")):
        response = client.get("/api/greenhouse/list_tests", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401
    assert_429(with_key(org.raw_key, "198.51.100.9").get("/api/greenhouse/list_tests"))


def test_requests_without_credentials_do_not_count(org, settings):
    settings.MARIOHR_AUTH_FAILURE_LIMIT = (2, 300)
    for _ in range(5):
        assert (
            APIClient(REMOTE_ADDR="198.51.100.10").get("/api/greenhouse/list_tests").status_code
            == 401
        )
    assert (
        with_key(org.raw_key, "198.51.100.10").get("/api/greenhouse/list_tests").status_code == 200
    )


def test_a_successful_authentication_does_not_reset_the_failure_count(org, settings):
    settings.MARIOHR_AUTH_FAILURE_LIMIT = (3, 300)
    address = "198.51.100.11"
    assert with_key(WRONG_KEY, address).get("/api/greenhouse/list_tests").status_code == 401
    assert with_key(WRONG_KEY, address).get("/api/greenhouse/list_tests").status_code == 401
    assert with_key(org.raw_key, address).get("/api/greenhouse/list_tests").status_code == 200
    assert with_key(WRONG_KEY, address).get("/api/greenhouse/list_tests").status_code == 401
    assert_429(with_key(org.raw_key, address).get("/api/greenhouse/list_tests"))


def test_revoked_keys_count_as_failures(org, settings):
    settings.MARIOHR_AUTH_FAILURE_LIMIT = (2, 300)
    revoked, revoked_raw = api_key_issue(organization=org, name="old")
    api_key_revoke(api_key=ApiKey.objects.get(pk=revoked.pk))
    for _ in range(2):
        assert (
            with_key(revoked_raw, "198.51.100.12").get("/api/greenhouse/list_tests").status_code
            == 401
        )
    assert_429(with_key(org.raw_key, "198.51.100.12").get("/api/greenhouse/list_tests"))


def test_a_clean_address_is_trusted_for_a_second_by_each_process(org, settings, monkeypatch):
    settings.MARIOHR_AUTH_FAILURE_LIMIT = (3, 300)
    address = "198.51.100.50"
    assert with_key(org.raw_key, address).get("/api/greenhouse/list_tests").status_code == 200
    # Another process records failures from that address in the shared cache.
    for _ in range(3):
        AuthFailureThrottle().window_add(address)
    assert with_key(org.raw_key, address).get("/api/greenhouse/list_tests").status_code == 200
    monkeypatch.setattr(AuthFailureThrottle, "trust_clean_seconds", 0)  # the second has passed
    assert_429(with_key(org.raw_key, address).get("/api/greenhouse/list_tests"))


def test_auth_failure_limit_off_never_throttles(org, settings):
    settings.MARIOHR_AUTH_FAILURE_LIMIT = None
    for _ in range(10):
        assert (
            with_key(WRONG_KEY, "198.51.100.13").get("/api/greenhouse/list_tests").status_code
            == 401
        )
    assert (
        with_key(org.raw_key, "198.51.100.13").get("/api/greenhouse/list_tests").status_code == 200
    )


def test_x_forwarded_for_is_ignored_unless_behind_a_proxy(org, settings):
    settings.MARIOHR_BEHIND_PROXY = False
    settings.MARIOHR_AUTH_FAILURE_LIMIT = (3, 300)
    for n in range(3):
        client = with_key(WRONG_KEY, "198.51.100.14")
        response = client.get("/api/greenhouse/list_tests", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        assert response.status_code == 401
    forged = with_key(org.raw_key, "198.51.100.14").get(
        "/api/greenhouse/list_tests", HTTP_X_FORWARDED_FOR="203.0.113.99"
    )
    assert_429(forged)


def test_behind_a_proxy_the_last_forwarded_hop_is_the_client(org, settings):
    settings.MARIOHR_BEHIND_PROXY = True
    settings.MARIOHR_AUTH_FAILURE_LIMIT = (3, 300)
    proxy = "10.0.0.1"
    for n in range(3):
        # The client forges a first hop each time; the proxy appends the real address.
        client = with_key(WRONG_KEY, proxy)
        forwarded = f"192.0.2.{n}, 203.0.113.5"
        response = client.get("/api/greenhouse/list_tests", HTTP_X_FORWARDED_FOR=forwarded)
        assert response.status_code == 401
    blocked = with_key(org.raw_key, proxy).get(
        "/api/greenhouse/list_tests", HTTP_X_FORWARDED_FOR="203.0.113.5"
    )
    assert_429(blocked)
    # Another client behind the same proxy is not blocked.
    other = with_key(org.raw_key, proxy).get(
        "/api/greenhouse/list_tests", HTTP_X_FORWARDED_FOR="203.0.113.6"
    )
    assert other.status_code == 200


def test_an_ipv6_client_is_counted_by_its_64_network(org, settings):
    settings.MARIOHR_AUTH_FAILURE_LIMIT = (2, 300)
    assert (
        with_key(WRONG_KEY, "2001:db8:1:2::a").get("/api/greenhouse/list_tests").status_code == 401
    )
    assert (
        with_key(WRONG_KEY, "2001:db8:1:2::b").get("/api/greenhouse/list_tests").status_code == 401
    )
    assert_429(with_key(org.raw_key, "2001:db8:1:2::c").get("/api/greenhouse/list_tests"))
    assert (
        with_key(org.raw_key, "2001:db8:1:3::c").get("/api/greenhouse/list_tests").status_code
        == 200
    )


@pytest.mark.parametrize(
    ("behind_proxy", "remote", "forwarded", "address", "network"),
    [
        (False, "192.0.2.1", None, "192.0.2.1", "192.0.2.1"),
        (False, "192.0.2.1", "203.0.113.9", "192.0.2.1", "192.0.2.1"),
        (True, "10.0.0.1", "198.51.100.1, 203.0.113.9", "203.0.113.9", "203.0.113.9"),
        (True, "10.0.0.1", "not-an-address", "10.0.0.1", "10.0.0.1"),
        (True, "10.0.0.1", None, "10.0.0.1", "10.0.0.1"),
        (False, "", None, None, "unknown"),
        (False, "::ffff:192.0.2.7", None, "::ffff:c000:207", "192.0.2.7"),
        (False, "2001:db8:a:b:1:2:3:4", None, "2001:db8:a:b:1:2:3:4", "2001:db8:a:b::/64"),
    ],
)
def test_client_address_and_network(settings, behind_proxy, remote, forwarded, address, network):
    settings.MARIOHR_BEHIND_PROXY = behind_proxy
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().get("/", **extra)
    assert client_address(request) == address
    assert client_network(request) == network


# Settings


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("3000/min", (3000, 60)),
        ("60/5min", (60, 300)),
        ("10/s", (10, 1)),
        ("5/10sec", (5, 10)),
        ("100/h", (100, 3600)),
        ("2/day", (2, 86400)),
        (" OFF ", None),
    ],
)
def test_rates_are_read_from_the_environment(monkeypatch, value, parsed):
    monkeypatch.setenv("MARIOHR_TEST_RATE", value)
    assert envrate("MARIOHR_TEST_RATE", "1/s") == parsed


@pytest.mark.parametrize("value", ["", "3000", "0/min", "3000/0min", "ten/min", "5/week", "-1/s"])
def test_a_malformed_rate_stops_start_up(monkeypatch, value):
    monkeypatch.setenv("MARIOHR_TEST_RATE", value)
    with pytest.raises(ImproperlyConfigured, match="MARIOHR_TEST_RATE"):
        envrate("MARIOHR_TEST_RATE", "1/s")


PROBE = """
import json
import django
from django.conf import settings
django.setup()
print(json.dumps({
    "cache": settings.CACHES["default"], "api": settings.MARIOHR_API_RATE_LIMIT,
    "auth": settings.MARIOHR_AUTH_FAILURE_LIMIT, "proxy": settings.MARIOHR_BEHIND_PROXY,
    "throttles": settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"],
    "axes_limit": settings.AXES_FAILURE_LIMIT,
    "axes_cooloff": settings.AXES_COOLOFF_TIME.total_seconds(),
    "axes_by": settings.AXES_LOCKOUT_PARAMETERS,
    "backends": settings.AUTHENTICATION_BACKENDS, "middleware": settings.MIDDLEWARE,
}))
"""


def probe_settings(tmp_path, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MARIOHR_", "AXES_"))}
    clean.update(DJANGO_SETTINGS_MODULE="mariohr.settings", MARIOHR_VAR_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_default_limits_use_a_cache_every_process_shares(tmp_path):
    result = probe_settings(tmp_path)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.splitlines()[-1])
    assert loaded["cache"]["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert loaded["cache"]["LOCATION"] == str(tmp_path / "cache")
    assert loaded["api"] == [3000, 60]
    assert loaded["auth"] == [60, 300]
    assert loaded["proxy"] is False
    assert loaded["throttles"] == ["integrations.throttling.ApiKeyRateThrottle"]
    assert loaded["axes_limit"] == 5
    assert loaded["axes_cooloff"] == 15 * 60
    assert loaded["axes_by"] == ["ip_address", "username"]
    assert loaded["backends"][0] == "axes.backends.AxesStandaloneBackend"
    assert loaded["middleware"][-1] == "axes.middleware.AxesMiddleware"


def test_limits_and_cache_follow_the_environment(tmp_path):
    result = probe_settings(
        tmp_path,
        MARIOHR_CACHE_URL="redis://cache.internal:6379/3",
        MARIOHR_API_RATE_LIMIT="100/10s",
        MARIOHR_AUTH_FAILURE_LIMIT="off",
        MARIOHR_BEHIND_PROXY="true",
        MARIOHR_ADMIN_LOCKOUT_FAILURES="8",
        MARIOHR_ADMIN_LOCKOUT_MINUTES="60",
        MARIOHR_ADMIN_LOCKOUT_BY="username+ip_address",
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.splitlines()[-1])
    assert loaded["cache"] == {
        "BACKEND": "mariohr.cache.RedisCache",
        "LOCATION": "redis://cache.internal:6379/3",
    }
    assert loaded["api"] == [100, 10]
    assert loaded["auth"] is None
    assert loaded["proxy"] is True
    assert loaded["axes_limit"] == 8
    assert loaded["axes_cooloff"] == 3600
    assert loaded["axes_by"] == [["username", "ip_address"]]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MARIOHR_CACHE_URL", "memcached://x"),
        ("MARIOHR_API_RATE_LIMIT", "lots"),
        ("MARIOHR_ADMIN_LOCKOUT_FAILURES", "0"),
        ("MARIOHR_ADMIN_LOCKOUT_MINUTES", "0"),
        ("MARIOHR_ADMIN_LOCKOUT_BY", "user_agent"),
    ],
)
def test_a_malformed_limit_setting_stops_start_up(tmp_path, name, value):
    result = probe_settings(tmp_path, **{name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr


# Counters shared across processes through Redis


RECORD_FAILURES = """
import sys
import django
django.setup()
from django.core.cache.backends.redis import RedisCache
from django.test import RequestFactory
from integrations.throttling import AuthFailureThrottle
url, prefix, address, count = sys.argv[1:]
cache = RedisCache(url, {"KEY_PREFIX": prefix})
request = RequestFactory().get("/", REMOTE_ADDR=address)
for _ in range(int(count)):
    throttle = AuthFailureThrottle()
    throttle.cache = cache
    throttle.failure_record(request)
print("recorded")
"""


@pytest.fixture
def redis_cache(settings):
    if not redis_reachable():
        pytest.skip(f"Redis is not reachable at {TEST_REDIS_URL} (set MARIOHR_TEST_REDIS_URL)")
    prefix = f"test-limits-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "mariohr.cache.RedisCache",
            "LOCATION": TEST_REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield prefix
    import redis

    client = redis.Redis.from_url(TEST_REDIS_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_failures_recorded_by_another_process_block_this_one(org, settings, redis_cache):
    # A whole-day window, so the two processes cannot straddle a window boundary.
    settings.MARIOHR_AUTH_FAILURE_LIMIT = (3, 86400)
    address = "203.0.113.77"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mariohr.settings"}
    env["MARIOHR_AUTH_FAILURE_LIMIT"] = "3/day"
    result = subprocess.run(
        [sys.executable, "-c", RECORD_FAILURES, TEST_REDIS_URL, redis_cache, address, "3"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert_429(with_key(org.raw_key, address).get("/api/greenhouse/list_tests"))
    assert (
        with_key(org.raw_key, "203.0.113.78").get("/api/greenhouse/list_tests").status_code == 200
    )


def test_a_key_rate_counter_is_shared_by_separate_redis_clients(
    api, org, settings, clock, redis_cache
):
    settings.MARIOHR_API_RATE_LIMIT = (5, 60)
    for _ in range(3):
        assert api.get("/api/greenhouse/list_tests").status_code == 200
    # Another cache client, with its own connection pool, as another web process has.
    other = RedisCache(TEST_REDIS_URL, {"KEY_PREFIX": redis_cache})
    throttle = ApiKeyRateThrottle()
    throttle.cache = other
    key_id = ApiKey.objects.get(organization=org).pk
    assert other.get(throttle.window_key(key_id)) == 3
    assert throttle.window_add(key_id) == 4
    assert throttle.window_add(key_id) == 5
    assert_429(api.get("/api/greenhouse/list_tests"))
