"""Sandbox twins: ``<slug>-sandbox`` with the same enabled tests, its own key and secret."""

from dataclasses import dataclass, field

from django.db import transaction

from assessments.models import Organization

from .. import plugins
from ..credentials import webhook_secret_get
from ..keys import api_key_issue
from .models import Sandbox
from .receiver import receiver_url

SUFFIX = "-sandbox"


class SandboxNotPossible(Exception):
    """The twin cannot be created; the message says why, for an operator."""


@dataclass(frozen=True)
class SandboxCreated:
    sandbox: Sandbox
    raw_key: str | None  # shown once, never stored; None: the twin existed already
    configured: list[str] = field(default_factory=list)  # what the plug-ins set up

    @property
    def created(self) -> bool:
        return self.raw_key is not None


def sandbox_of(organization: Organization) -> Sandbox | None:
    return Sandbox.objects.filter(organization=organization).first()


def is_sandbox(organization: Organization) -> bool:
    return Sandbox.objects.filter(organization=organization).exists()


def sandbox_twin_create(*, organization: Organization) -> SandboxCreated:
    """Create ``<slug>-sandbox`` for ``organization``: its enabled tests, a webhook signing
    secret of its own, a new API key (returned in plaintext once) and every ATS plug-in set
    up to send to its receiver. Again for the same organization: no second twin and no new
    key, only what the plug-ins find missing is set up (raw_key None)."""
    if is_sandbox(organization):
        raise SandboxNotPossible(f"{organization} is a sandbox already.")
    slug = f"{organization.slug}{SUFFIX}"
    if len(slug) > Organization._meta.get_field("slug").max_length:
        raise SandboxNotPossible(f"The slug {slug!r} would be too long.")
    with transaction.atomic():
        # Serialises two creations for the same organization (the second finds the twin).
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        existing = Sandbox.objects.filter(twin_of=organization).first()
        if existing is not None:
            return SandboxCreated(existing, None, sandbox_plugins_configure(sandbox=existing))
        if Organization.objects.filter(slug=slug).exists():
            raise SandboxNotPossible(
                f"An organization with the slug {slug!r} exists already and is not this "
                "organization's sandbox twin."
            )
        twin = Organization.objects.create(name=f"{organization.name} (sandbox)", slug=slug)
        twin.enabled_tests.set(organization.enabled_tests.all())
        sandbox = Sandbox.objects.create(organization=twin, twin_of=organization)
        webhook_secret_get(organization=twin)  # created now, so the admin can show it
        _, raw_key = api_key_issue(organization=twin, name="Sandbox")
        configured = sandbox_plugins_configure(sandbox=sandbox)
    return SandboxCreated(sandbox, raw_key, configured)


def sandbox_plugins_configure(*, sandbox: Sandbox) -> list[str]:
    """Every installed ATS plug-in sets up what it needs to send to this sandbox's receiver
    (a developer may try any ATS, not only the ones production uses); what is set stays."""
    lines = []
    for ats in plugins.all_ats():
        lines += ats.sandbox_configure(sandbox.organization, receiver_url(sandbox))
    return lines
