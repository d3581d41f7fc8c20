"""Where an ATS plug-in may send an organization's credentials besides its vendor's hosts: to
the built-in fake ATS receiver, and only a sandbox's own.

Workable, Recruitee and Teamtailor send their credentials only to their vendor's hosts. Each
asks this first, so a sandbox twin runs the whole flow against its receiver, while no
setting of a production organization (a Workable domain, a Teamtailor custom base URL, the
development allow-list) can point its credentials there: the receiver is refused for it
before the plug-in's own host rules are read.
"""

from assessments.models import Organization

from ..delivery.kinds import CredentialsMissing
from ..ssrf import UnsafeURL
from .models import Sandbox
from .receiver import receiver_prefixes, receiver_target


def sandbox_receiver_allowed(url: str, *, organization: Organization | None) -> bool:
    """True: ``url`` is ``organization``'s own sandbox receiver, which the plug-in lets pass.
    False: ``url`` is not the built-in receiver; the plug-in's own host rules decide.
    Raises UnsafeURL: ``url`` is the receiver, but not this organization's sandbox's."""
    target = receiver_target(url)
    if target is None:
        return False
    sandbox = None
    if organization is not None and organization.pk is not None:
        sandbox = Sandbox.objects.filter(organization=organization).first()
    if sandbox is None:
        raise UnsafeURL(
            "is MarioHR's sandbox receiver: only a sandbox organization's callbacks go there."
        )
    if not target[0]:
        raise UnsafeURL(
            "spells MarioHR's sandbox receiver with dot-segments, encoded slashes or dots, or "
            "empty segments: give the receiver URL as Sandbox → Sandboxes shows it."
        )
    # One reading of the token for every door (receiver_target), and the URL as written
    # must be this sandbox's, so the transport hands it to the receiver in process.
    own = [f"{prefix}{sandbox.receiver_token}/" for prefix in receiver_prefixes()]
    if target[0] != sandbox.receiver_token or not any(
        (url + "/").startswith(prefix) for prefix in own
    ):
        raise UnsafeURL(
            "is not this sandbox's own receiver URL (Sandbox → Sandboxes shows it in the admin)."
        )
    return True


class ReceiverRefused(CredentialsMissing):
    """A delivery's URL is the receiver, but not its organization's sandbox's: not sent."""


def sandbox_receiver_delivery_check(url: str, *, organization: Organization) -> None:
    """At every attempt of a plug-in whose credentials go wherever its URL points (Greenhouse,
    Ashby): a URL changed behind the services' back to the receiver is not sent, and the
    delivery shows a credentials problem to fix. No query unless the URL is the receiver."""
    try:
        sandbox_receiver_allowed(url, organization=organization)
    except UnsafeURL as exc:
        raise ReceiverRefused(f"Not sent: the URL {exc}") from None


def reaches_receiver(url: str) -> bool:
    """Whether ``url``, however spelled, reaches the receiver: its ``.invalid`` host, or
    MarioHR's own host at the receiver's HTTP path (percent-encoded, with ``..`` and so on)."""
    return receiver_target(url) is not None
