"""Recruitee rules on top of the shared intake: settings, company binding, send_candidate."""

import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from assessments.models import Interview, Organization
from integrations import intake
from integrations.catalog import catalog_test_get
from integrations.crypto import decrypt, encrypt
from integrations.sandbox.targets import reaches_receiver, sandbox_receiver_allowed
from integrations.ssrf import UnsafeURL, check_url

from . import conf
from .models import RecruiteeSettings

SOURCE = "recruitee"
SANDBOX_CODENAME = "mariohr-sandbox"


class TestNotAvailable(Exception):
    """The test_id is not in the organization's enabled catalog (422)."""


class CompanyMismatch(Exception):
    """The key is bound to another Recruitee company (403)."""


@dataclass(frozen=True)
class Partner:
    """Where and how reports are written for one organization."""

    api_base: str
    codename: str
    secret: str

    def report_url(self, report_id: str) -> str:
        return f"{self.api_base}/p/{self.codename}/reports/{report_id}"


def recruitee_settings_get(*, organization: Organization) -> RecruiteeSettings:
    settings_row, _ = RecruiteeSettings.objects.get_or_create(organization=organization)
    return settings_row


def partner_for(*, organization: Organization, target: str = "") -> Partner:
    row = RecruiteeSettings.objects.filter(organization=organization).first()
    return partner_of(row, target=target)


def partner_of(row: RecruiteeSettings | None, *, target: str = "") -> Partner:
    """The organization's overrides (its settings row), else the deployment's partner.
    ``target``: where the secret goes, when not under the API base (a test callback)."""
    own_secret = decrypt(row.partner_secret_encrypted) if row else ""
    api_base = ((row and row.api_base_url) or conf.api_base()).rstrip("/")
    # The deployment's secret is production's: a sandbox's receiver gets only its own.
    shared_secret = "" if reaches_receiver(target or api_base) else conf.partner_secret()
    return Partner(
        api_base=api_base,
        codename=(row and row.codename) or conf.codename(),
        secret=own_secret or shared_secret,
    )


def api_base_check(url: str, *, organization: Organization | None) -> str:
    """Refuse a base URL outside Recruitee's two API hosts (or the development allow-list;
    or, for a sandbox, its own built-in receiver); return it without a trailing slash.
    Raises UnsafeURL with the reason."""
    url = (url or "").strip().rstrip("/")
    if sandbox_receiver_allowed(url, organization=organization):
        return url
    host = (urlsplit(url).hostname or "").lower()
    allowed = conf.API_HOSTS | {entry.lower() for entry in settings.MARIOHR_CALLBACK_ALLOWLIST}
    if host not in allowed:
        raise UnsafeURL(
            "must be on Recruitee's API host (integrations.recruitee.com or "
            "integrations.rc.recruitee.dev)."
        )
    check_url(url + "/p/x/reports/x", require_resolution=False)
    return url


def recruitee_settings_set(
    *,
    organization: Organization,
    api_base_url: str | None = None,
    codename: str | None = None,
    partner_secret: str | None = None,
) -> RecruiteeSettings:
    """Set what is given (None keeps, "" clears); the base URL must pass api_base_check and
    the secret is stored encrypted."""
    row = recruitee_settings_get(organization=organization)
    if api_base_url is not None:
        row.api_base_url = (
            api_base_check(api_base_url, organization=organization) if api_base_url else ""
        )
    if codename is not None:
        row.codename = codename.strip()
        row.full_clean(exclude=["organization", "api_base_url", "company_id"])
    if partner_secret is not None:
        secret = partner_secret.strip()
        if len(secret) > 500 or any(ord(ch) < 32 for ch in secret):
            raise ValueError("The partner secret must be at most 500 printable characters.")
        row.partner_secret_encrypted = encrypt(secret)
    row.save()
    return row


def recruitee_sandbox_configure(*, organization: Organization, receiver_url: str) -> list[str]:
    """A sandbox twin's reports go to its receiver, with a codename and a partner secret of
    its own (never the deployment's); an API base URL already set keeps the row as it is."""
    row = RecruiteeSettings.objects.filter(organization=organization).first()
    if row is not None and row.api_base_url:
        return []
    recruitee_settings_set(
        organization=organization,
        api_base_url=receiver_url + "api",
        codename=None if row and row.codename else SANDBOX_CODENAME,
        partner_secret=(
            None
            if row and decrypt(row.partner_secret_encrypted)
            else f"sandbox-{secrets.token_urlsafe(24)}"
        ),
    )
    return ["Recruitee: reports go to the receiver, with a partner secret of the sandbox's."]


def company_bind(*, organization: Organization, company_id: int) -> None:
    """Bind the organization to the first Recruitee company that sends; refuse others."""
    row = recruitee_settings_get(organization=organization)
    if row.company_id is None:
        # Conditional: two first sends from different companies cannot both bind.
        RecruiteeSettings.objects.filter(pk=row.pk, company_id=None).update(company_id=company_id)
        row.refresh_from_db(fields=["company_id"])
    if row.company_id != company_id:
        raise CompanyMismatch


def recruitee_candidate_send(*, organization: Organization, data: dict) -> tuple[Interview, bool]:
    """Create the interview for a Recruitee report; a repeated report_id returns the first
    interview (created False). Raises TestNotAvailable, CompanyMismatch, UnsafeURL or
    CallbackUrlTaken."""
    report_id = str(data["report_id"])
    existing = _interview_for_report(organization, report_id)
    if existing is not None:
        return existing, False
    if catalog_test_get(organization=organization, partner_test_id=data["test_id"]) is None:
        raise TestNotAvailable
    company_bind(organization=organization, company_id=data["company_id"])
    partner = partner_for(organization=organization)
    # The composed URL is checked like any callback (again at every delivery); as the
    # interview's callback_url it also makes a concurrent repeat collide in the database.
    api_base_check(partner.api_base, organization=organization)
    report_url = partner.report_url(report_id)
    check_url(report_url, require_resolution=False)
    candidate = intake.CandidateData(
        first_name=data["first_name"],
        last_name=data["last_name"],
        email=data["email"],
        phone_number=data.get("phone") or "",
        ats_candidate_id=str(data["candidate_id"]),
    )
    ats_data = {
        "recruitee_report_id": report_id,
        "recruitee_candidate_id": data["candidate_id"],
        "recruitee_company_id": data["company_id"],
        "recruitee_test_name": data.get("test_name") or "",
    }
    try:
        return intake.interview_start(
            organization=organization,
            source=SOURCE,
            partner_test_id=data["test_id"],
            candidate=candidate,
            callback_url=report_url,
            ats_data=ats_data,
        )
    except intake.UnknownTest:
        raise TestNotAvailable from None  # disabled a moment ago


def _interview_for_report(organization: Organization, report_id: str) -> Interview | None:
    return Interview.objects.filter(
        organization=organization, source=SOURCE, ats_data__recruitee_report_id=report_id
    ).first()


def report_id_of(interview: Interview) -> str:
    return str((interview.ats_data or {}).get("recruitee_report_id") or "")
