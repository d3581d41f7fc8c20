"""The partner-API request log: every call an ATS makes, redacted, kept for a few days.

Views that know which interview a call concerns say so with ``mark_interview``; the
middleware (middleware.py) captures the call raw, buffer.py ships it sealed (transit.py) to
the worker after the response, and the worker redacts and writes it (services.py).
"""

# Where mark_interview leaves the interview on the Django request for the middleware.
INTERVIEW_ATTRIBUTE = "request_log_interview_id"


def mark_interview(request, interview) -> None:
    """Link the logged call to ``interview`` (``request``: DRF's or Django's request)."""
    django_request = getattr(request, "_request", request)
    setattr(django_request, INTERVIEW_ATTRIBUTE, interview.pk)
