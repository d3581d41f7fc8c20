from django import template
from django.urls import reverse

from ..services import policy_for

register = template.Library()
# A chunk every few seconds: a crash or a closed tab loses about this much.
CHUNK_MILLISECONDS = 4000


@register.simple_tag
def recording_capture_config(interview) -> dict | None:
    """What `_capture.html` needs, or None when the test does not record."""
    if interview is None:
        return None
    policy = policy_for(interview.test)
    if policy is None:
        return None
    token = interview.candidate_token
    return {
        "mode": policy.mode,
        "required": policy.mode == policy.Mode.REQUIRED,
        "consent_text": policy.effective_consent_text,
        "capture_screen": policy.capture_screen,
        "chunk_url": reverse("recordings:chunk", args=[token, 0])[: -len("0")],
        "consent_url": reverse("recordings:consent", args=[token]),
        "chunk_ms": CHUNK_MILLISECONDS,
    }
