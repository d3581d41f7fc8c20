"""Sandbox twins: ``<slug>-sandbox`` with the same enabled tests, its own key and secret."""

from dataclasses import dataclass

from django.db import transaction

from assessments.models import Organization

from ..credentials import webhook_secret_get
from ..keys import api_key_issue
from .models import Sandbox

SUFFIX = "-sandbox"


class SandboxNotPossible(Exception):
    """The twin cannot be created; the message says why, for an operator."""


@dataclass(frozen=True)
class SandboxCreated:
    sandbox: Sandbox
    raw_key: str  # shown once, never stored


def sandbox_of(organization: Organization) -> Sandbox | None:
    return Sandbox.objects.filter(organization=organization).first()


def is_sandbox(organization: Organization) -> bool:
    return Sandbox.objects.filter(organization=organization).exists()


def sandbox_twin_create(*, organization: Organization) -> SandboxCreated:
    """Create ``<slug>-sandbox`` for ``organization``: its enabled tests, a webhook signing
    secret of its own and a new API key (returned in plaintext once)."""
    if is_sandbox(organization):
        raise SandboxNotPossible(f"{organization} is a sandbox already.")
    slug = f"{organization.slug}{SUFFIX}"
    if len(slug) > Organization._meta.get_field("slug").max_length:
        raise SandboxNotPossible(f"The slug {slug!r} would be too long.")
    with transaction.atomic():
        if Organization.objects.filter(slug=slug).exists():
            raise SandboxNotPossible(
                f"An organization with the slug {slug!r} exists already; to get a new key for "
                "it, issue one under API keys."
            )
        twin = Organization.objects.create(name=f"{organization.name} (sandbox)", slug=slug)
        twin.enabled_tests.set(organization.enabled_tests.all())
        sandbox = Sandbox.objects.create(organization=twin, twin_of=organization)
        webhook_secret_get(organization=twin)  # created now, so the admin can show it
        _, raw_key = api_key_issue(organization=twin, name="Sandbox")
    return SandboxCreated(sandbox, raw_key)
