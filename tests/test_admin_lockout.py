"""Admin sign-in lockout (django-axes) through the real login form."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

PASSWORD = "correct horse battery staple"
LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture
def staff(db, settings):
    # A fast hasher: each attempt hashes a password, and the lock is what is under test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return get_user_model().objects.create_user(
        "reviewer", "reviewer@example.com", PASSWORD, is_staff=True, is_superuser=True
    )


def sign_in(password: str, *, username: str = "reviewer", address: str = "192.0.2.10"):
    client = Client(REMOTE_ADDR=address)
    response = client.post(LOGIN, {"username": username, "password": password})
    return client, response


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def fail(times: int, **kwargs) -> list[int]:
    return [sign_in("wrong password", **kwargs)[1].status_code for _ in range(times)]


def test_a_right_password_signs_in(staff):
    client, response = sign_in(PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)
    assert client.get("/admin/").status_code == 200


def test_repeated_wrong_passwords_lock_sign_in_with_a_clear_page(staff, settings):
    settings.AXES_FAILURE_LIMIT = 3
    # The first failures re-show the form with Django's error; the limit-th one locks.
    client, first = sign_in("wrong password")
    assert first.status_code == 200
    assert "Please enter the correct username and password" in first.content.decode()
    assert fail(1) == [200]
    _, locked = sign_in("wrong password")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Sign-in locked" in html
    assert "15 minutes" in html
    assert "Even the right password is refused" in html
    assert int(locked.headers["Retry-After"]) == 15 * 60


def test_a_locked_out_user_is_refused_even_with_the_right_password(staff, settings):
    settings.AXES_FAILURE_LIMIT = 3
    assert fail(3)[-1] == 429
    client, response = sign_in(PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    assert client.get("/admin/").status_code == 302  # still sent to the login page


def test_the_account_is_locked_from_other_addresses_too(staff, settings):
    settings.AXES_FAILURE_LIMIT = 3
    fail(1, address="192.0.2.10")
    fail(1, address="198.51.100.20")
    assert fail(1, address="203.0.113.30") == [429]
    client, response = sign_in(PASSWORD, address="192.0.2.99")
    assert response.status_code == 429
    assert not signed_in(client)


def test_the_address_is_locked_for_other_accounts_too(staff, settings):
    settings.AXES_FAILURE_LIMIT = 3
    get_user_model().objects.create_user("second", password=PASSWORD, is_staff=True)
    for name in ("ghost-1", "ghost-2", "ghost-3"):
        sign_in("guess", username=name)
    client, response = sign_in(PASSWORD, username="second")
    assert response.status_code == 429
    assert not signed_in(client)
    # The same account from elsewhere is fine.
    client, response = sign_in(PASSWORD, username="second", address="198.51.100.40")
    assert response.status_code == 302
    assert signed_in(client)


def test_the_lock_lifts_after_the_cool_off(staff, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=10)
    fail(3)
    assert sign_in(PASSWORD)[1].status_code == 429
    # Ten minutes pass since the last attempt (each attempt while locked restarts them).
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=10, seconds=1)
    )
    client, response = sign_in(PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_axes_reset_lifts_the_lock(staff, settings):
    settings.AXES_FAILURE_LIMIT = 3
    fail(3)
    call_command("axes_reset", verbosity=0)
    client, response = sign_in(PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_a_success_forgives_earlier_typos(staff, settings):
    settings.AXES_FAILURE_LIMIT = 3
    fail(2)
    assert sign_in(PASSWORD)[1].status_code == 302
    assert fail(2) == [200, 200]


def test_the_failure_limit_setting_is_honoured(staff, settings):
    settings.AXES_FAILURE_LIMIT = 6
    assert fail(6) == [200] * 5 + [429]


def test_the_login_page_itself_still_loads_while_locked(staff, settings):
    settings.AXES_FAILURE_LIMIT = 2
    fail(2)
    response = Client(REMOTE_ADDR="192.0.2.10").get(LOGIN)
    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()


def test_force_login_is_unaffected_by_a_lock(staff, settings):
    settings.AXES_FAILURE_LIMIT = 2
    fail(2)
    client = Client(REMOTE_ADDR="192.0.2.10")
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
