"""The candidate's optional feedback on the experience, given once after submitting.

It is for the account manager only: never next to a score (reviewers must not be biased by
it), never in the report, never sent to an ATS, and it leaves no event in the transcript.
A second answer is refused, not merged: the first one stands (see the README).
"""

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q

from .accommodations import FieldInvalid, text_clean
from .models import CandidateFeedback, Interview, Test
from .privacy.anonymize import is_anonymized

S = Interview.Status
COMMENT_MAX = 2000
RATING_LABELS = [
    ("1", "1: poor"),
    ("2", "2: fair"),
    ("3", "3: good"),
    ("4", "4: very good"),
    ("5", "5: excellent"),
]
RATINGS = {value for value, _ in RATING_LABELS}


class FeedbackRefused(Exception):
    """Not open for feedback: not submitted yet, or already given."""


def feedback_open(interview: Interview) -> bool:
    # Erased or anonymized: the old link collects nothing new about the candidate.
    return interview.status in (S.SUBMITTED, S.COMPLETE) and not is_anonymized(interview.candidate)


def feedback_given(interview: Interview) -> bool:
    return CandidateFeedback.objects.filter(interview=interview).exists()


def feedback_record(*, interview: Interview, rating, comment="") -> CandidateFeedback:
    if not isinstance(rating, str) or rating.strip() not in RATINGS:
        raise FieldInvalid("rating", "choose a rating from 1 to 5")
    comment = text_clean("comment", comment, COMMENT_MAX)
    if not feedback_open(interview):
        raise FeedbackRefused("Feedback can be given only after the test was submitted.")
    try:
        with transaction.atomic():
            return CandidateFeedback.objects.create(
                interview=interview, rating=int(rating), comment=comment
            )
    except IntegrityError as taken:
        raise FeedbackRefused("Your feedback was already recorded. Thank you!") from taken


def feedback_summary(feedback=None, organization_id=None) -> list[dict]:
    """Per test: responses, average rating, submitted interviews and the response rate.

    ``feedback`` narrows the rows (the admin list's filters); ``organization_id`` narrows the
    submitted interviews counted as the rate's denominator the same way.
    """
    feedback = CandidateFeedback.objects.all() if feedback is None else feedback
    rows = list(
        feedback.order_by()
        .values("interview__test")
        .annotate(responses=Count("pk"), average=Avg("rating"))
    )
    submitted_filter = Q(interview__submitted_at__isnull=False)
    if organization_id:
        submitted_filter &= Q(interview__organization_id=organization_id)
    tests = Test.objects.filter(pk__in=[row["interview__test"] for row in rows]).annotate(
        submitted=Count("interview", filter=submitted_filter)
    )
    by_pk = {test.pk: test for test in tests}
    summary = []
    for row in rows:
        test = by_pk[row["interview__test"]]
        submitted = max(test.submitted, row["responses"])
        summary.append(
            {
                "test": test,
                "responses": row["responses"],
                "average": round(row["average"], 2),
                "submitted": submitted,
                "response_rate": round(100 * row["responses"] / submitted),
            }
        )
    return sorted(summary, key=lambda row: row["test"].name)
