from django.db import models
from django.db.models import Q

ENDED_STATUSES = ("submitted", "complete", "expired", "cancelled")


class RetentionClock(models.Model):
    """When an interview ended, and which purges have run for it.

    Written when the interview reaches an ended status, so the purges read due rows from
    partial indexes and never scan interviews that are live, fresh or already purged.
    """

    interview = models.OneToOneField(
        "assessments.Interview", on_delete=models.CASCADE, related_name="retention_clock"
    )
    organization = models.ForeignKey("assessments.Organization", on_delete=models.CASCADE)
    ended_at = models.DateTimeField()
    recording_purged_at = models.DateTimeField(null=True, blank=True)
    anonymized_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["organization", "ended_at"],
                condition=Q(recording_purged_at=None),
                name="retention_recording_due",
            ),
            models.Index(
                fields=["organization", "ended_at"],
                condition=Q(anonymized_at=None),
                name="retention_anonymize_due",
            ),
        ]

    def __str__(self) -> str:
        return f"Retention of {self.interview_id}"


class PurgeCursor(models.Model):
    """How far a purge that walks a table by primary key has come (re-running continues)."""

    name = models.CharField(max_length=100, unique=True)
    last_pk = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.last_pk}"


class ErasureTombstone(models.Model):
    """That a candidate was erased, when and by whom; never any of their personal data."""

    candidate_id = models.BigIntegerField(db_index=True)
    organization = models.ForeignKey("assessments.Organization", on_delete=models.PROTECT)
    erased_at = models.DateTimeField()
    erased_by_user_id = models.BigIntegerField(null=True, blank=True)
    erased_by_username = models.CharField(max_length=150)
    interview_count = models.PositiveIntegerField(default=0)
    # What was removed: {"answers": 3, "storage_objects": 5, "deliveries_redacted": 2, ...}.
    removed = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-erased_at"]
        permissions = [
            ("erase_candidate", "Can erase a candidate's data"),
            ("export_candidate", "Can export a candidate's data"),
        ]

    def __str__(self) -> str:
        return f"Candidate {self.candidate_id} erased {self.erased_at:%Y-%m-%d}"
