from django import template
from django.urls import reverse
from django.utils import timezone

from ..models import Recording
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
        # The page appends "<segment id>/chunks/<seq>?started=<epoch ms>".
        "segments_url": reverse("recordings:segment-chunk", args=[token, "s" * 8, 0]).split(
            "s" * 8 + "/chunks/"
        )[0],
        "consent_url": reverse("recordings:consent", args=[token]),
        "chunk_ms": CHUNK_MILLISECONDS,
        # The candidate's last answer ("" when none yet): the take page records at once when
        # it is "given" and asks again only when there is none.
        "consent": Recording.objects.filter(interview=interview)
        .values_list("consent", flat=True)
        .first()
        or "",
        # The page corrects its clock by this, so a segment's `started` is in server time.
        "server_now_ms": int(timezone.now().timestamp() * 1000),
        # One IndexedDB database per interview: chunks waiting to upload, across reloads.
        "store_name": f"mariohr-recording-{token}",
    }
