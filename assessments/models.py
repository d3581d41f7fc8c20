import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from .sources import validate_source


def new_partner_interview_id() -> str:
    # 128 random bits, URL-safe: unguessable and never sequential. Never starting with "-",
    # so shells and command-line parsers do not take it for an option.
    while True:
        value = secrets.token_urlsafe(16)
        if not value.startswith("-"):
            return value


def new_candidate_token() -> str:
    # The candidate's link key; deliberately separate from partner_interview_id, which the
    # ATS (and everyone who can read the ATS) sees.
    return secrets.token_urlsafe(24)


def new_report_token() -> str:
    # The report link's key (256 bits): the ATS stores the link, nobody can guess it, and
    # neither the partner_interview_id nor the candidate's token opens the report.
    return secrets.token_urlsafe(32)


class Organization(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Test(models.Model):
    class Kind(models.TextChoices):
        REPO_REVIEW = "repo_review", "Repo review (scored by a reviewer)"
        QUIZ = "quiz", "Quiz (scored automatically)"

    partner_test_id = models.SlugField(
        max_length=100, unique=True, help_text="Stable id the ATS stores; never change it."
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.REPO_REVIEW)
    max_score = models.DecimalField(max_digits=7, decimal_places=2, default=Decimal("100"))
    time_limit_minutes = models.PositiveIntegerField(default=120)
    instructions = models.TextField(
        blank=True, help_text="Markdown shown to the candidate (HTML is stripped to safe tags)."
    )
    repository_url = models.URLField(
        max_length=2000, blank=True, help_text="Repository the candidate reviews or clones."
    )
    starter_archive = models.FileField(
        upload_to="starters/", blank=True, help_text="Downloadable starter archive (.zip)."
    )
    is_active = models.BooleanField(default=True, help_text="Inactive tests are hidden from all.")
    enabled_by_default = models.BooleanField(
        default=True, help_text="Enabled for organizations created after this test."
    )
    organizations = models.ManyToManyField(
        Organization, related_name="enabled_tests", blank=True, help_text="Who may use it."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.partner_test_id})"


class Candidate(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    first_name = models.CharField(max_length=200)
    last_name = models.CharField(max_length=200)
    preferred_name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(max_length=320)
    phone_number = models.CharField(max_length=100, blank=True)
    resume_url = models.URLField(max_length=2000, blank=True)
    profile_url = models.URLField(max_length=2000, blank=True, help_text="ATS profile URL.")
    ats_candidate_id = models.CharField(max_length=100, blank=True)
    ats_application_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "email"])]

    def __str__(self) -> str:
        return f"{self.display_name} <{self.email}>"

    @property
    def display_name(self) -> str:
        return f"{self.preferred_name or self.first_name} {self.last_name}".strip()


class Interview(models.Model):
    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted (awaiting scoring)"
        COMPLETE = "complete", "Complete"
        EXPIRED = "expired", "Expired"
        CANCELLED = "cancelled", "Cancelled"

    partner_interview_id = models.CharField(
        max_length=64, unique=True, default=new_partner_interview_id, editable=False
    )
    candidate_token = models.CharField(
        max_length=64, unique=True, default=new_candidate_token, editable=False
    )
    report_token = models.CharField(
        max_length=64, unique=True, default=new_report_token, editable=False
    )
    # Interviews from before report tokens: their /api/report/<partner_interview_id> links,
    # stored by the ATS, still redirect to the report. Never true for newer interviews.
    report_legacy_link = models.BooleanField(default=False, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    test = models.ForeignKey(Test, on_delete=models.PROTECT)
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE)
    # An ATS plug-in's name or "admin" (assessments.sources): validated, not a choices list.
    source = models.CharField(max_length=20, validators=[validate_source])
    callback_url = models.URLField(max_length=2000, blank=True)
    sent_by = models.CharField(max_length=320, blank=True)
    ats_data = models.JSONField(default=dict, blank=True, help_text="Ids and URLs from the ATS.")

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SENT)
    sent_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField()

    score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="scored_interviews",
    )

    # Accommodation: extra time on the test's time limit, set before or during the test.
    extra_time_percent = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(400)]
    )
    extra_time_minutes = models.PositiveIntegerField(
        default=0, validators=[MaxValueValidator(10080)]
    )
    # Internal; the report only says that an accommodation applied.
    accommodation_note = models.TextField(blank=True, max_length=2000)
    # 1 for the first attempt; a retake archives the attempt (InterviewAttempt) and adds one.
    attempt_number = models.PositiveSmallIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            # A repeated send_test for the same callback URL must not create a second interview.
            models.UniqueConstraint(
                fields=["organization", "callback_url"],
                condition=~Q(callback_url=""),
                name="unique_interview_per_callback_url",
            )
        ]
        indexes = [
            # The expiry sweep: live interviews past their deadline.
            models.Index(fields=["status", "expires_at"]),
            # The admin's default order (Django adds -pk to make it total).
            models.Index(fields=["sent_at", "id"], name="interview_sent_at_id"),
            # The reviewers' queue, oldest first; only the submitted rows are in it.
            models.Index(
                fields=["submitted_at", "id"],
                condition=Q(status="submitted"),
                name="interview_review_queue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner_interview_id} ({self.test.partner_test_id}, {self.status})"

    @property
    def is_live(self) -> bool:
        return self.status in (self.Status.SENT, self.Status.IN_PROGRESS)

    @property
    def has_accommodation(self) -> bool:
        return bool(self.extra_time_percent or self.extra_time_minutes)

    @property
    def time_limit_minutes(self) -> int:
        """The test's time limit with this candidate's extra time."""
        base = self.test.time_limit_minutes
        return base + (base * self.extra_time_percent + 99) // 100 + self.extra_time_minutes


class InterviewToReview(Interview):
    """The reviewers' queue in the admin: submitted interviews, oldest first."""

    class Meta:
        proxy = True
        verbose_name = "interview to review"
        verbose_name_plural = "to review"


# Catalog content and per-interview records live in their own modules to keep this one short.
from .content_models import Choice, EnvironmentField, Question, RubricCriterion  # noqa: E402
from .hiring_models import (  # noqa: E402
    CandidateFeedback,
    CandidateNotice,
    CandidatePolicy,
    InterviewAttempt,
)
from .session_models import Answer, EnvironmentValue, InterviewEvent, ScoreLine  # noqa: E402

__all__ = [
    "Answer",
    "Candidate",
    "CandidateFeedback",
    "CandidateNotice",
    "CandidatePolicy",
    "Choice",
    "EnvironmentField",
    "EnvironmentValue",
    "Interview",
    "InterviewAttempt",
    "InterviewEvent",
    "InterviewToReview",
    "Organization",
    "Question",
    "RubricCriterion",
    "ScoreLine",
    "Test",
]
