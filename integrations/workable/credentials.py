"""An organization's Workable settings: the token for our result PUTs (encrypted), the
domain results may go to, and the grade thresholds. Nothing else reads the secret column."""

import re
import secrets

from assessments.crypto import decrypt, encrypt
from assessments.models import Organization

from ..grades import thresholds_check
from ..sandbox.targets import sandbox_receiver_allowed
from ..ssrf import UnsafeURL, check_url
from .models import DEFAULT_CALLBACK_DOMAIN, WorkableSettings

# A DNS name: labels of letters, digits and inner hyphens, at least two of them.
DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}")
MAX_TOKEN_CHARS = 2000


class CallbackNotAllowed(ValueError):
    """The callback URL is not one we may send the organization's Workable token to."""


def workable_settings_get(*, organization: Organization) -> WorkableSettings:
    settings_row, _ = WorkableSettings.objects.get_or_create(organization=organization)
    return settings_row


def workable_settings_find(*, organization_id: int) -> WorkableSettings | None:
    """The row if the organization has one; reading never creates it."""
    return WorkableSettings.objects.filter(organization_id=organization_id).first()


def callback_domain_clean(domain: str) -> str:
    """A bare domain (workable.com), lower case; raise ValueError saying why not."""
    domain = (domain or "").strip().lower().rstrip(".")
    if domain != "localhost" and not DOMAIN.fullmatch(domain):
        raise ValueError("The callback domain must be a domain name such as workable.com.")
    try:
        # The guard every delivery passes: no loopback, private or metadata host.
        check_url(f"https://{domain}/", require_resolution=False)
    except UnsafeURL as exc:
        raise ValueError(f"The callback domain {exc}") from None
    return domain


def results_token_clean(token: str) -> str:
    token = (token or "").strip()
    if not token or len(token) > MAX_TOKEN_CHARS or any(c.isspace() for c in token):
        raise ValueError(
            f"The Workable token must be one word of at most {MAX_TOKEN_CHARS} characters."
        )
    return token


def grades_check(pass_percent: int, excel_percent: int) -> None:
    thresholds_check(pass_percent, excel_percent, message="Grades need 0 ≤ pass % ≤ excel % ≤ 100.")


def workable_settings_update(
    *,
    organization: Organization,
    results_token: str | None = None,
    clear_results_token: bool = False,
    callback_domain: str | None = None,
    pass_percent: int | None = None,
    excel_percent: int | None = None,
) -> WorkableSettings:
    """Change what is given; an empty or None ``results_token`` keeps the stored one."""
    settings_row = workable_settings_get(organization=organization)
    if callback_domain is not None:
        settings_row.callback_domain = callback_domain_clean(callback_domain)
    if pass_percent is not None:
        settings_row.pass_percent = pass_percent
    if excel_percent is not None:
        settings_row.excel_percent = excel_percent
    grades_check(settings_row.pass_percent, settings_row.excel_percent)
    if clear_results_token:
        settings_row.results_token_encrypted = ""
    elif results_token:
        settings_row.results_token_encrypted = encrypt(results_token_clean(results_token))
    settings_row.save()
    return settings_row


def workable_results_token(settings_row: WorkableSettings | None) -> str:
    return decrypt(settings_row.results_token_encrypted) if settings_row else ""


def callback_domain_of(settings_row: WorkableSettings | None) -> str:
    return settings_row.callback_domain if settings_row else DEFAULT_CALLBACK_DOMAIN


def callback_url_check(url: str, *, domain: str, organization: Organization | None) -> str:
    """The SSRF guard, then the organization's Workable domain (or, for a sandbox, its own
    built-in receiver); returns the URL."""
    try:
        checked = check_url(url, require_resolution=False)
        if sandbox_receiver_allowed(checked.url, organization=organization):
            return checked.url
    except UnsafeURL as exc:
        raise CallbackNotAllowed(str(exc)) from None
    if checked.hostname != domain and not checked.hostname.endswith("." + domain):
        raise CallbackNotAllowed(
            f"must be on {domain} (the Workable domain set for this organization)."
        )
    return checked.url


def workable_sandbox_configure(*, organization: Organization, receiver_url: str) -> list[str]:
    """A sandbox twin's results go to the callback_url each call names, its receiver's
    (callback_url_check lets a sandbox's own receiver pass, whatever the domain), with a token
    of its own; a token already set stays."""
    if workable_results_token(workable_settings_find(organization_id=organization.pk)):
        return []
    workable_settings_update(
        organization=organization, results_token=f"sandbox-{secrets.token_urlsafe(24)}"
    )
    return ["Workable: results go to the callback_url given, with a token of the sandbox's."]
