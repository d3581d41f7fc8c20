"""Teamtailor's rules on top of the shared intake: settings, callback checks, the webhook."""

import secrets
from urllib.parse import urlsplit

from django.db import transaction

from assessments.crypto import decrypt, encrypt
from assessments.models import Interview, Organization

from ..intake import CandidateData, interview_start
from ..sandbox.targets import sandbox_receiver_allowed
from ..ssrf import UnsafeURL, check_url
from .delivery import SOURCE, teamtailor_result_create
from .models import REGION_HOSTS, TeamtailorSettings

MAX_SECRET_LENGTH = 500


def teamtailor_settings_of(*, organization: Organization) -> TeamtailorSettings | None:
    return TeamtailorSettings.objects.filter(organization=organization).first()


def base_url_check(base_url: str) -> str:
    """A custom base URL (sandbox, tests) as stored; raises UnsafeURL with the reason."""
    base_url = (base_url or "").strip().rstrip("/")
    check_url(base_url + "/partner/v1/partner-results/x", require_resolution=False)
    return base_url


def teamtailor_settings_set(
    *,
    organization: Organization,
    api_key: str | None = None,
    webhook_secret: str | None = None,
    region: str | None = None,
    custom_base_url: str | None = None,
) -> TeamtailorSettings:
    """Store what is given (None keeps the current value; "" clears a secret). Secrets are
    encrypted; a custom base URL must pass the SSRF guard."""
    for name, secret in (("api_key", api_key), ("webhook_secret", webhook_secret)):
        if secret is not None and (
            len(secret) > MAX_SECRET_LENGTH
            or secret != secret.strip()
            # It goes into a header: a line break inside would fail every delivery.
            or any(ord(ch) < 32 or ord(ch) == 127 for ch in secret)
        ):
            raise ValueError(
                f"{name} must be at most {MAX_SECRET_LENGTH} printable characters, trimmed."
            )
    if region is not None and region not in TeamtailorSettings.Region.values:
        raise ValueError(f"region must be one of {', '.join(TeamtailorSettings.Region.values)}.")
    with transaction.atomic():
        settings_row, _ = TeamtailorSettings.objects.select_for_update().get_or_create(
            organization=organization
        )
        if region is not None:
            settings_row.region = region
        if custom_base_url:
            settings_row.custom_base_url = base_url_check(custom_base_url)
        elif custom_base_url is not None:
            settings_row.custom_base_url = ""
        if settings_row.region == TeamtailorSettings.Region.CUSTOM:
            base_url_check(settings_row.custom_base_url)
        if api_key is not None:
            settings_row.api_key_encrypted = encrypt(api_key)
        if webhook_secret is not None:
            settings_row.webhook_secret_encrypted = encrypt(webhook_secret)
        settings_row.save()
    return settings_row


def teamtailor_sandbox_configure(*, organization: Organization, receiver_url: str) -> list[str]:
    """A sandbox twin's results go to the update-url each webhook names, its receiver's
    (update_url_check lets a sandbox's own receiver pass), with a partner API key of its own;
    a key already set stays. No webhook secret: the developer's calls need no signature."""
    settings_row = teamtailor_settings_of(organization=organization)
    if settings_row is not None and decrypt(settings_row.api_key_encrypted):
        return []
    teamtailor_settings_set(
        organization=organization, api_key=f"sandbox-{secrets.token_urlsafe(24)}"
    )
    return ["Teamtailor: results go to the update-url given, with a key of the sandbox's."]


def update_url_check(
    update_url: str, *, settings_row: TeamtailorSettings | None, organization: Organization
) -> None:
    """Our partner API key goes with every PUT to this URL, and the webhook that names it is
    the customer's to shape: only Teamtailor's stacks (or the configured custom base; or, for
    a sandbox, its own built-in receiver) may receive it, over the SSRF guard. Raises
    UnsafeURL with the reason."""
    check_url(update_url, require_resolution=False)
    if sandbox_receiver_allowed(update_url, organization=organization):
        return
    host = (urlsplit(update_url).hostname or "").lower().rstrip(".")
    allowed = set(REGION_HOSTS.values())
    if settings_row is not None and settings_row.region == TeamtailorSettings.Region.CUSTOM:
        allowed.add((urlsplit(settings_row.custom_base_url).hostname or "").lower())
    if host not in allowed:
        raise UnsafeURL(f"must be on a Teamtailor API host ({', '.join(sorted(allowed))}).")


def teamtailor_webhook_receive(
    *,
    organization: Organization,
    event: dict,
    company: dict | None,
    settings_row: TeamtailorSettings | None,
) -> tuple[Interview, bool]:
    """Create the interview a partner event asks for, idempotently per partner result (its
    update URL is the callback URL); a new one also queues the "sent" result update.
    Raises UnsafeURL (the update URL), intake.UnknownTest or CallbackUrlTaken."""
    update_url_check(
        event["partner-result"]["update-url"], settings_row=settings_row, organization=organization
    )
    candidate, result = event["candidate"], event["partner-result"]
    job = candidate.get("job") or {}
    triggered_by = job.get("triggered-by") or {}
    company = company or {}
    ats_data = {
        "teamtailor_partner_event_id": event["id"],
        "teamtailor_partner_result_id": result["id"],
        "teamtailor_candidate_id": str(candidate["id"]),
        "teamtailor_candidate_uuid": candidate.get("uuid") or "",
        "teamtailor_job_id": str(job["id"]) if job.get("id") is not None else "",
        "teamtailor_job_title": job.get("title") or "",
        "teamtailor_stage": job.get("stage") or "",
        "teamtailor_company_uuid": company.get("uuid") or "",
        "teamtailor_company_name": company.get("name") or "",
        "webhook_data": event.get("webhook-data") or {},
    }
    with transaction.atomic():
        interview, created = interview_start(
            organization=organization,
            source=SOURCE,
            partner_test_id=event["webhook-data"]["test"],
            candidate=CandidateData(
                first_name=candidate["first-name"],
                last_name=candidate["last-name"],
                email=candidate["email"],
                phone_number=candidate.get("phone") or "",
                ats_candidate_id=str(candidate["id"]),
                ats_application_id=ats_data["teamtailor_job_id"],
            ),
            callback_url=result["update-url"],
            sent_by=triggered_by.get("email") or "",
            ats_data=ats_data,
        )
        if created:
            # The webhook's answer sets "sent" too, but Teamtailor does not retry a webhook
            # whose answer was lost: the outbox makes sure the card leaves "sending".
            teamtailor_result_create(
                interview=interview, event={"trigger": "sent", "status": interview.status}
            )
    return interview, created
