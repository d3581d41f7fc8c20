from django.db import models


class PartnerRequest(models.Model):
    """One call an ATS made to the partner API, bodies redacted (redaction.py)."""

    organization = models.ForeignKey(
        "assessments.Organization", null=True, blank=True, on_delete=models.CASCADE
    )
    # The plug-in's ats_name (/api/<ats>/) and the route's name; "" for an unknown path.
    ats = models.CharField(max_length=40)
    endpoint = models.CharField(max_length=100, blank=True)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    query = models.JSONField(default=dict, blank=True)
    status_code = models.PositiveSmallIntegerField()
    latency_ms = models.FloatField()
    request_body = models.JSONField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    request_id = models.CharField(max_length=200, blank=True, db_index=True)
    interview = models.ForeignKey(
        "assessments.Interview",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="partner_requests",
    )
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The integration-health page: the latest call per organization and ATS.
            models.Index(
                fields=["organization", "ats", "-created_at"], name="request_log_org_ats_latest"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} → {self.status_code}"
