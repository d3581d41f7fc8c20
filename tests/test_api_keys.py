import hashlib

from django.db import connection

from integrations.keys import MAX_KEY_LENGTH, api_key_authenticate, api_key_issue, api_key_revoke
from integrations.models import ApiKey


def test_issued_keys_are_short_enough_for_greenhouse_and_have_no_colon(org):
    for _ in range(50):
        _, raw_key = api_key_issue(organization=org)
        assert len(raw_key) < 171
        assert len(raw_key) <= MAX_KEY_LENGTH
        assert ":" not in raw_key
        assert raw_key.isascii() and raw_key.isprintable()


def test_issued_keys_are_unique_and_random(org):
    keys = {api_key_issue(organization=org)[1] for _ in range(50)}
    assert len(keys) == 50


def test_only_a_sha256_hash_and_a_short_prefix_are_stored(org):
    api_key, raw_key = api_key_issue(organization=org, name="rotation")
    stored = ApiKey.objects.get(pk=api_key.pk)
    assert stored.key_hash == hashlib.sha256(raw_key.encode()).hexdigest()
    assert stored.prefix == raw_key[:12]
    assert len(stored.prefix) < len(raw_key) // 2
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiKey._meta.db_table}")
        rows = cursor.fetchall()
    assert rows
    assert not any(raw_key in str(value) for row in rows for value in row)


def test_several_keys_per_organization_all_work_until_revoked(org, client_for):
    second, second_raw = api_key_issue(organization=org, name="rotation")
    assert client_for(org).get("/api/greenhouse/list_tests").status_code == 200
    assert client_for(raw_key=second_raw).get("/api/greenhouse/list_tests").status_code == 200

    api_key_revoke(api_key=second)

    assert client_for(raw_key=second_raw).get("/api/greenhouse/list_tests").status_code == 401
    assert client_for(org).get("/api/greenhouse/list_tests").status_code == 200
    assert ApiKey.objects.get(pk=second.pk).revoked_at is not None


def test_revoking_twice_keeps_the_first_revocation_time(org):
    api_key, _ = api_key_issue(organization=org)
    api_key_revoke(api_key=api_key)
    first = ApiKey.objects.get(pk=api_key.pk).revoked_at
    api_key_revoke(api_key=ApiKey.objects.get(pk=api_key.pk))
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at == first


def test_authenticate_finds_the_key_by_prefix_and_hash(org):
    api_key, raw_key = api_key_issue(organization=org)
    assert api_key_authenticate(raw_key) == api_key
    assert api_key_authenticate(raw_key + "x") is None
    assert api_key_authenticate(raw_key[:-1]) is None
    assert api_key_authenticate("") is None


def test_a_key_is_tied_to_its_organization(org, other_org):
    assert api_key_authenticate(org.raw_key).organization == org
    assert api_key_authenticate(other_org.raw_key).organization == other_org
