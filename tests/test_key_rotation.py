"""rotate_fernet_keys: every secret at rest moves to the first key of MARIOHR_FERNET_KEYS."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management import CommandError, call_command

from assessments import services as lifecycle
from assessments.crypto import EncryptedTextField, decrypt, encrypt
from assessments.models import EnvironmentField
from assessments.secrets_rotation import encrypted_columns
from integrations.ashby.models import AshbySettings
from integrations.ashby.services import ashby_credentials_set
from integrations.credentials import webhook_secret_get
from integrations.greenhouse.credentials import outbound_credentials_get, outbound_credentials_set
from integrations.models import IntegrationSettings

from .candidate_factories import sent_interview  # noqa: F401

KEY_A, KEY_B, KEY_C = (Fernet.generate_key().decode() for _ in range(3))


def rotate(*args) -> tuple[str, str]:
    stdout, stderr = StringIO(), StringIO()
    call_command("rotate_fernet_keys", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def raw_tokens() -> dict:
    """Every stored token, by (model, pk, column)."""
    tokens = {}
    for model, column, filters in encrypted_columns():
        rows = model.objects.filter(**filters).exclude(**{column: ""})
        for pk, token in rows.values_list("pk", column):
            tokens[(model._meta.label, pk, column)] = token
    return tokens


@pytest.fixture
def catalog(settings, catalog):
    # Before the demo catalog is seeded: every secret of the test is written under key A.
    settings.MARIOHR_FERNET_KEYS = [KEY_A]
    return catalog


@pytest.fixture
def stored(settings, org, catalog, sent_interview):  # noqa: F811
    """One secret in every encrypted column, written under key A; returns the plaintexts."""
    settings.MARIOHR_FERNET_KEYS = [KEY_A]
    outbound_credentials_set(organization=org, username="gh-user", password="gh-pass")
    webhook = webhook_secret_get(organization=org)
    ashby_credentials_set(organization=org, api_key="ashby-key-123")
    test = catalog["py-fastapi-review"]
    field = EnvironmentField(test=test, position=9, label="Token", is_secret=True)
    field.value = "field-secret-{interview}"
    field.save()
    plain_field = EnvironmentField(test=test, position=10, label="Docs", is_secret=False)
    plain_field.value = "https://docs.example.com"
    plain_field.save()
    interview = lifecycle.interview_start(interview=sent_interview())
    generated = interview.environment_values.get(label="Password").value
    return {
        "org": org,
        "webhook": webhook,
        "field": field,
        "plain_field": plain_field,
        "interview": interview,
        "generated": generated,
    }


def assert_every_secret_reads(stored) -> None:
    org = stored["org"]
    assert outbound_credentials_get(organization=org) == ("gh-user", "gh-pass")
    assert webhook_secret_get(organization=org) == stored["webhook"]
    row = AshbySettings.objects.get(organization=org)
    assert decrypt(row.api_key_encrypted) == "ashby-key-123"
    assert EnvironmentField.objects.get(pk=stored["field"].pk).value == "field-secret-{interview}"
    values = {v.label: v.value for v in stored["interview"].environment_values.all()}
    assert values["Password"] == stored["generated"]
    assert values["Token"] == f"field-secret-{stored['interview'].partner_interview_id[:8].lower()}"


def test_every_encrypted_column_is_found():
    found = {(model._meta.label, column) for model, column, _ in encrypted_columns()}
    assert found >= {
        ("greenhouse.GreenhouseSettings", "username_encrypted"),
        ("greenhouse.GreenhouseSettings", "password_encrypted"),
        ("integrations.IntegrationSettings", "webhook_secret_encrypted"),
        ("ashby.AshbySettings", "api_key_encrypted"),
        ("assessments.EnvironmentField", "value_stored"),
        ("assessments.EnvironmentValue", "value_stored"),
    }
    # Every plug-in's secrets are found without being listed: the shared field marks them.
    declared = {
        (model._meta.label, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    }
    assert declared <= found


def test_rotation_moves_every_secret_to_the_first_key(settings, stored):
    before = raw_tokens()
    # 4 integration columns, 1 secret field, 2 secret values (generated password, token).
    assert len(before) == 7
    settings.MARIOHR_FERNET_KEYS = [KEY_B, KEY_A]
    stdout, _ = rotate()
    assert "Rotated 7 secret(s); 0 already under the first key" in stdout
    assert "greenhouse.GreenhouseSettings.password_encrypted: 1 rotated" in stdout
    assert "assessments.EnvironmentValue.value_stored: 2 rotated" in stdout

    settings.MARIOHR_FERNET_KEYS = [KEY_B]
    assert_every_secret_reads(stored)
    after = raw_tokens()
    assert after.keys() == before.keys()
    assert all(after[key] != before[key] for key in before)
    # Plain (non-secret) values are not tokens and stay untouched.
    assert EnvironmentField.objects.get(pk=stored["plain_field"].pk).value_stored == (
        "https://docs.example.com"
    )
    # Key A alone no longer reads anything.
    settings.MARIOHR_FERNET_KEYS = [KEY_A]
    with pytest.raises(ValueError, match="cannot be decrypted"):
        outbound_credentials_get(organization=stored["org"])


def test_a_second_run_changes_nothing(settings, stored):
    settings.MARIOHR_FERNET_KEYS = [KEY_B, KEY_A]
    rotate()
    once = raw_tokens()
    stdout, _ = rotate()
    assert "Rotated 0 secret(s); 7 already under the first key" in stdout
    assert raw_tokens() == once


def test_rotation_keeps_updated_at(settings, stored):
    row = IntegrationSettings.objects.get(organization=stored["org"])
    settings.MARIOHR_FERNET_KEYS = [KEY_B, KEY_A]
    rotate()
    assert IntegrationSettings.objects.get(pk=row.pk).updated_at == row.updated_at


def test_dry_run_reports_and_writes_nothing(settings, stored):
    before = raw_tokens()
    settings.MARIOHR_FERNET_KEYS = [KEY_B, KEY_A]
    stdout, _ = rotate("--dry-run")
    assert "Would rotate 7 secret(s)" in stdout
    assert "assessments.EnvironmentValue.value_stored: 2 to rotate" in stdout
    assert raw_tokens() == before


def test_an_undecryptable_secret_stops_the_run_and_changes_nothing(settings, stored):
    settings.MARIOHR_FERNET_KEYS = [KEY_C]
    stray = EnvironmentField(test=stored["field"].test, position=11, label="Stray", is_secret=True)
    stray.value = "under a key nobody lists"
    stray.save()
    before = raw_tokens()

    settings.MARIOHR_FERNET_KEYS = [KEY_B, KEY_A]
    stderr = StringIO()
    with pytest.raises(CommandError, match="Nothing was changed") as error:
        call_command("rotate_fernet_keys", stdout=StringIO(), stderr=stderr)
    assert "--skip-undecryptable" in str(error.value)
    assert f"Cannot decrypt assessments.EnvironmentField.value_stored of row pk={stray.pk}." in (
        stderr.getvalue()
    )
    assert raw_tokens() == before
    # Still all under key A: the operator can fix the key list and run again.
    settings.MARIOHR_FERNET_KEYS = [KEY_A]
    assert_every_secret_reads(stored)


def test_skip_undecryptable_rotates_the_rest_and_lists_what_it_left(settings, stored):
    settings.MARIOHR_FERNET_KEYS = [KEY_C]
    stray = EnvironmentField(test=stored["field"].test, position=11, label="Stray", is_secret=True)
    stray.value = "lost"
    stray.save()
    settings.MARIOHR_FERNET_KEYS = [KEY_B, KEY_A]
    stdout, stderr = rotate("--skip-undecryptable")
    assert "Rotated 7 secret(s); 0 already under the first key; 1 undecryptable" in stdout
    assert f"row pk={stray.pk}" in stderr
    settings.MARIOHR_FERNET_KEYS = [KEY_B]
    assert_every_secret_reads(stored)
    settings.MARIOHR_FERNET_KEYS = [KEY_C]
    assert EnvironmentField.objects.get(pk=stray.pk).value == "lost"


def test_rotation_needs_explicit_keys(settings, db):
    settings.MARIOHR_FERNET_KEYS = []
    with pytest.raises(CommandError, match="MARIOHR_FERNET_KEYS is not set"):
        rotate()


def test_moving_from_the_key_derived_from_secret_key(settings, org):
    """Development stores secrets under a key derived from SECRET_KEY; production lists it
    as an old key once, rotates, then drops it (and SECRET_KEY no longer matters)."""
    settings.MARIOHR_FERNET_KEYS = []
    outbound_credentials_set(organization=org, username="dev-user", password="dev-pass")
    derived = StringIO()
    call_command("fernet_key", "--derived", stdout=derived)
    derived_key = derived.getvalue().strip()
    new = StringIO()
    call_command("fernet_key", stdout=new)
    new_key = new.getvalue().strip()
    for key in (derived_key, new_key):
        Fernet(key)  # raises unless a valid Fernet key
    assert new_key != derived_key

    settings.MARIOHR_FERNET_KEYS = [new_key, derived_key]
    assert outbound_credentials_get(organization=org) == ("dev-user", "dev-pass")
    stdout, _ = rotate()
    assert "Rotated 2 secret(s)" in stdout

    settings.MARIOHR_FERNET_KEYS = [new_key]
    settings.SECRET_KEY = "a-rotated-secret-key-" + "k" * 40
    assert outbound_credentials_get(organization=org) == ("dev-user", "dev-pass")


def test_encrypt_uses_the_first_key(settings, db):
    settings.MARIOHR_FERNET_KEYS = [KEY_B, KEY_A]
    token = encrypt("hello")
    assert Fernet(KEY_B).decrypt(token.encode()) == b"hello"
