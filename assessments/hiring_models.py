"""What the hiring team manages after a test went out: the organization's candidate policy,
reminders, earlier attempts of a retaken test and the candidate's feedback."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


def default_reminder_days() -> list[int]:
    return [3]


class CandidatePolicy(models.Model):
    """Per-organization rules for candidates: reminders, accommodations, data retention."""

    organization = models.OneToOneField(
        "assessments.Organization", on_delete=models.CASCADE, related_name="candidate_policy"
    )
    reminders_enabled = models.BooleanField(default=True)
    reminder_days_before = models.JSONField(
        default=default_reminder_days,
        blank=True,
        help_text="Days before expiry to remind a candidate who has not started (at most two).",
    )
    contact_name = models.CharField(
        max_length=200, blank=True, help_text="Whom candidates contact (expiry notice)."
    )
    contact_email = models.EmailField(
        max_length=320, blank=True, help_text="Receives accommodation requests and questions."
    )
    recording_retention_days = models.PositiveIntegerField(
        default=90, help_text="Recordings are deleted this many days after the interview ended."
    )
    personal_data_retention_days = models.PositiveIntegerField(
        default=365, help_text="Candidate details are anonymized this many days after the end."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "candidate policy"
        verbose_name_plural = "candidate policies"

    def __str__(self) -> str:
        return f"Candidate policy of {self.organization}"


class CandidateNotice(models.Model):
    """One email to a candidate that must go out once: a reminder slot or the expiry notice.

    The unique constraint is the claim: a second beat process inserting the same row fails.
    """

    class Kind(models.TextChoices):
        REMINDER = "reminder", "Reminder"
        EXPIRY = "expiry", "Expiry notice"

    interview = models.ForeignKey(
        "assessments.Interview", on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Days before the deadline for a reminder; 0 for the expiry notice.
    slot = models.PositiveSmallIntegerField(default=0)
    # The deadline the notice was for: a reopened or extended invitation gets fresh slots.
    deadline = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "kind", "slot", "deadline"], name="unique_candidate_notice"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.slot}) for {self.interview_id}"


class InterviewAttempt(models.Model):
    """An earlier attempt of a retaken interview, kept for the report; it no longer counts."""

    interview = models.ForeignKey(
        "assessments.Interview", on_delete=models.CASCADE, related_name="attempts"
    )
    number = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=20)
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    # {"answers": {key: value}, "score_lines": [...]}: what the report shows of the attempt.
    snapshot = models.JSONField(default=dict, blank=True)
    archived_at = models.DateTimeField()
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["interview", "number"], name="unique_attempt_number")
        ]

    def __str__(self) -> str:
        return f"Attempt {self.number} of {self.interview_id}"


class CandidateFeedback(models.Model):
    """The candidate's optional rating of the experience. Never shown beside a score, never
    sent to an ATS."""

    interview = models.OneToOneField(
        "assessments.Interview", on_delete=models.CASCADE, related_name="candidate_feedback"
    )
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "candidate feedback"
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="candidate_feedback_rating_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5 for {self.interview_id}"
