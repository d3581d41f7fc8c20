"""The admin's "Send a test callback": an ATS's sample results call, sent through the real
delivery transport (SSRF guard, DNS pinning, credentials, Standard Webhooks signature) and
judged by the delivery engine's rules, so what it says is what a real delivery would meet.
Nothing is stored: no Delivery row, no interview; the admin logs that it was sent."""

import logging
import secrets
from dataclasses import dataclass, field, replace

from django.conf import settings

from assessments.models import Organization

from .. import plugins
from ..credentials import webhook_secret_get
from ..delivery import kinds, transport
from ..delivery.interpret import default_outcome
from ..delivery.models import Delivery
from ..delivery.services import endpoint_of, text_storable
from ..ssrf import UnsafeURL
from .targets import sandbox_receiver_allowed

logger = logging.getLogger(__name__)

TEST_HEADER = "X-MarioHR-Test-Callback"
EXCERPT_CHARS = 2000


@dataclass(frozen=True)
class TestCallbackResult:
    ats_label: str
    url: str
    sent: bool
    meaning: str
    ok: bool = False
    method: str = ""
    request_body: object = None
    auth: str = "none"
    webhook_id: str = ""
    status_code: int | None = None
    headers: dict = field(default_factory=dict)
    body_excerpt: str = ""
    duration_ms: int | None = None


def test_callback_send(*, organization: Organization, ats_name: str, url: str):
    """Build ``ats_name``'s sample call to ``url``, send it once, say what the answer means."""
    ats = plugins.get(ats_name)
    not_sent = partial_result(ats.ats_label, url)
    try:
        # Not even without credentials: another sandbox's captures are not this one's to fill.
        sandbox_receiver_allowed(url, organization=organization)
    except UnsafeURL as exc:
        return not_sent(f"Not sent: the URL {exc}")
    try:
        request = ats.sample_request(organization, url)
    except kinds.CredentialsMissing as exc:
        return not_sent(f"Not sent: {exc}")
    except NotImplementedError as exc:
        return not_sent(f"Not sent: {exc}")
    request = replace(request, headers={**request.headers, TEST_HEADER: "true"})
    withheld = ""
    if not _endpoint_trusted(organization, ats, url):
        # A stored secret goes only where this organization's real deliveries already go:
        # an account manager's typo, or a hostile one, must not carry it elsewhere.
        request = _without_credentials(request)
        withheld = (
            f" Sent without credentials: {endpoint_of(url)} is not an address this "
            f"organization's {ats.ats_label} deliveries go to, and stored secrets go only there."
        )
    webhook_id = "msg_test_" + secrets.token_urlsafe(18)
    sent = {
        "method": request.method,
        "request_body": request.json_body,
        "auth": _auth_of(request),
        "webhook_id": webhook_id,
    }
    try:
        response = transport.request_send(
            request,
            webhook_id=webhook_id,
            signing_secret=webhook_secret_get(organization=organization),
            timeout=settings.MARIOHR_DELIVERY_TIMEOUT_SECONDS,
            max_response_bytes=settings.MARIOHR_DELIVERY_MAX_RESPONSE_BYTES,
        )
    except UnsafeURL as exc:
        return not_sent(f"Not sent: the SSRF guard refused the URL: it {exc}")
    except ValueError as exc:
        # http.client refuses a header value with a line break before anything is sent:
        # a stored credential pasted with one. A real delivery fails the same way.
        logger.warning("Test callback to %s not sent: %s", endpoint_of(url), type(exc).__name__)
        return not_sent(
            "Not sent: a header MarioHR would send is invalid (a stored credential with a line "
            "break or control character in it?); set the credentials again in this ATS's "
            "settings."
        )
    except transport.TransportError as exc:
        return TestCallbackResult(
            ats.ats_label,
            url,
            sent=True,
            meaning=f"No answer ({exc}). A real delivery would be retried on its schedule.",
            **sent,
        )
    outcome = _judge(ats, response)
    return TestCallbackResult(
        ats.ats_label,
        url,
        sent=True,
        ok=outcome.result == kinds.Outcome.SUCCESS,
        # The receiver's words (Ashby's reason) may hold a NUL or a lone surrogate.
        meaning=text_storable(meaning_of(ats.ats_label, response.status_code, outcome) + withheld),
        status_code=response.status_code,
        headers=response.headers,
        body_excerpt=text_storable(response.body[:EXCERPT_CHARS].decode("utf-8", "replace")),
        duration_ms=response.duration_ms,
        **sent,
    )


def partial_result(ats_label: str, url: str):
    def not_sent(meaning: str) -> TestCallbackResult:
        return TestCallbackResult(ats_label, url, sent=False, meaning=meaning)

    return not_sent


def _judge(ats, response: transport.Response) -> kinds.Outcome:
    """The engine's reading: the kind's interpret_response, else the default rules."""
    outcome = None
    try:
        kind = kinds.get(ats.sample_kind)
    except kinds.UnknownKind:
        kind = None
    if kind is not None and kind.interpret_response is not None:
        try:
            # No delivery exists for a test; the kinds judge by the answer alone.
            outcome = kind.interpret_response(
                None, response.status_code, response.headers, response.body
            )
        except Exception:
            logger.exception("Test callback: %s could not judge the answer", ats.ats_name)
    try:
        return outcome or default_outcome(response.status_code, response.headers)
    except Exception as exc:
        # As in a real delivery: an answer MarioHR cannot read is retried, not a 500 here.
        logger.exception("Test callback: the answer could not be judged")
        return kinds.Outcome.retry(f"Internal error judging the answer: {type(exc).__name__}")


def meaning_of(ats_label: str, status_code: int, outcome: kinds.Outcome) -> str:
    """The answer in plain words, with what a real delivery would do next."""
    answered = f"{ats_label} answered {status_code}"
    if outcome.result == kinds.Outcome.SUCCESS:
        return f"{answered}: delivered. A real result would be recorded there."
    if outcome.credentials_problem:
        return (
            f"{answered}: the outbound credentials are wrong or missing; set them in this "
            f"ATS's settings. ({outcome.error}) A real delivery would be retried."
        )
    if outcome.result == kinds.Outcome.STOP:
        return f"{answered}: {outcome.error} A real delivery would stop here."
    if status_code == 404:
        return f"{answered}: no such address there; check the URL. A real delivery retries."
    if 300 <= status_code < 400:
        return f"{answered}: a redirect, never followed; give the final URL instead."
    if outcome.retry_after is not None or status_code in (429, 503):
        return f"{answered}: busy or rate-limited; a real delivery would wait and retry."
    if status_code >= 500:
        return f"{answered}: a server error on their side; a real delivery would retry."
    return f"{answered}: refused ({outcome.error}). A real delivery would be retried."


def _auth_of(request: kinds.OutboundRequest) -> str:
    if request.basic_auth:
        return "Basic"
    header = next((v for k, v in request.headers.items() if k.lower() == "authorization"), "")
    if header:
        return header.split(" ", 1)[0]
    secret_headers = [k for k in request.headers if "secret" in k.lower()]
    return secret_headers[0] if secret_headers else "none"


def _endpoint_trusted(organization: Organization, ats, url: str) -> bool:
    """Whether this ATS's real deliveries for the organization go to that endpoint (scheme,
    host and port): by its own settings, or because one already went there."""
    try:
        if sandbox_receiver_allowed(url, organization=organization):
            return True  # its own sandbox's receiver, which stores credentials redacted
    except UnsafeURL:
        return False
    endpoint = endpoint_of(url)
    if endpoint in {endpoint_of(target) for target in ats.configured_targets(organization)}:
        return True
    return Delivery.objects.filter(
        organization=organization, kind=ats.sample_kind, endpoint=endpoint
    ).exists()


def _without_credentials(request: kinds.OutboundRequest) -> kinds.OutboundRequest:
    kept = {
        name: value
        for name, value in request.headers.items()
        if name.lower() != "authorization" and "secret" not in name.lower()
    }
    return replace(request, basic_auth=None, headers=kept)
