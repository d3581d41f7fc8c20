import secrets

from django.db import models

from assessments.models import Interview, Test

DEFAULT_CONSENT_TEXT = (
    "This assessment records your camera, microphone and, where your browser allows it, your "
    "screen while you work. The recording is stored privately and shared only with the hiring "
    "team reviewing your assessment."
)


def new_storage_key() -> str:
    # Object names start with this random key so recordings can be neither listed by
    # guessing nor linked to the partner_interview_id the ATS sees.
    return secrets.token_urlsafe(18)


class RecordingPolicy(models.Model):
    class Mode(models.TextChoices):
        REQUIRED = "required", "Required (the candidate cannot continue without it)"
        OPTIONAL = "optional", "Optional (the candidate may decline)"
        OFF = "off", "Off"

    test = models.OneToOneField(Test, on_delete=models.CASCADE, related_name="recording_policy")
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.OFF)
    consent_text = models.TextField(
        blank=True, help_text="Shown before recording starts; a standard text when blank."
    )
    capture_screen = models.BooleanField(
        default=True, help_text="Also ask for the screen where the browser allows it."
    )

    class Meta:
        verbose_name_plural = "recording policies"

    def __str__(self) -> str:
        return f"{self.test.partner_test_id}: {self.mode}"

    @property
    def effective_consent_text(self) -> str:
        return self.consent_text.strip() or DEFAULT_CONSENT_TEXT


class Recording(models.Model):
    class Status(models.TextChoices):
        RECEIVING = "receiving", "Receiving chunks"
        PENDING = "pending", "Waiting for processing"
        PROCESSING = "processing", "Processing"
        PROCESSED = "processed", "Processed"
        FAILED = "failed", "Failed"

    class Consent(models.TextChoices):
        GIVEN = "given", "Given"
        DECLINED = "declined", "Declined"
        UNAVAILABLE = "unavailable", "No camera or microphone"

    # The current attempt's recording hangs on the interview; a retake moves it to the
    # archived attempt (interview None), so the new attempt records afresh.
    interview = models.OneToOneField(
        Interview, null=True, blank=True, on_delete=models.CASCADE, related_name="recording"
    )
    archived_attempt = models.OneToOneField(
        "assessments.InterviewAttempt",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="recording",
    )
    storage_key = models.CharField(max_length=40, unique=True, default=new_storage_key)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVING)
    consent = models.CharField(max_length=20, choices=Consent.choices, blank=True)
    consent_detail = models.CharField(max_length=500, blank=True)
    consent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    chunk_count = models.PositiveIntegerField(default=0)
    received_bytes = models.PositiveBigIntegerField(default=0)
    last_chunk_at = models.DateTimeField(null=True, blank=True)

    enqueued_at = models.DateTimeField(null=True, blank=True)
    processing_started_at = models.DateTimeField(null=True, blank=True)
    processing_attempts = models.PositiveIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, help_text="Last transient error (retried).")
    failure_reason = models.TextField(blank=True)

    file_name = models.CharField(max_length=500, blank=True)
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    container = models.CharField(max_length=50, blank=True)
    missing_chunks = models.JSONField(default=list, blank=True)
    # One entry per segment in the processed file, in order: index, segment (client id),
    # started_at (ISO), offset_seconds (in the file), duration_seconds, missing_chunks.
    segment_map = models.JSONField(default=list, blank=True)
    transcript = models.JSONField(default=list, blank=True)
    transcript_engine = models.CharField(max_length=100, blank=True)
    transcript_error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        if self.interview_id is not None:
            return f"Recording of {self.interview.partner_interview_id} ({self.status})"
        if self.archived_attempt_id is not None:
            attempt = self.archived_attempt
            return (
                f"Recording of {attempt.interview.partner_interview_id}, "
                f"attempt {attempt.number} ({self.status})"
            )
        return f"Recording {self.pk} ({self.status})"

    @property
    def owner_interview(self) -> Interview | None:
        """The interview it was made for, also when it is an archived attempt's."""
        if self.interview_id is not None:
            return self.interview
        if self.archived_attempt_id is not None:
            return self.archived_attempt.interview
        return None

    @property
    def started_at(self):
        """When the attempt it records started (the interview's, or the archived attempt's)."""
        if self.interview_id is not None:
            return self.interview.started_at
        if self.archived_attempt_id is not None:
            return self.archived_attempt.started_at
        return None


LEGACY_SEGMENT = "legacy"


class RecordingSegment(models.Model):
    """One page load's part of the recording: a reload or a second tab starts another."""

    recording = models.ForeignKey(Recording, on_delete=models.CASCADE, related_name="segments")
    client_id = models.CharField(max_length=40)
    started_at = models.DateTimeField(help_text="When the page began this segment (server clock).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["started_at", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recording", "client_id"], name="unique_recording_segment_client_id"
            )
        ]

    def __str__(self) -> str:
        return f"segment {self.client_id} of {self.recording_id}"


class RecordingChunk(models.Model):
    recording = models.ForeignKey(Recording, on_delete=models.CASCADE, related_name="chunks")
    segment = models.ForeignKey(RecordingSegment, on_delete=models.CASCADE, related_name="chunks")
    seq = models.PositiveIntegerField()
    file_name = models.CharField(max_length=500)
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["segment", "seq"], name="unique_segment_chunk_seq")
        ]

    def __str__(self) -> str:
        return f"chunk {self.seq} of {self.recording_id}"
