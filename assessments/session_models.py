"""What happens during one interview: answers, the event log (transcript), score lines."""

from django.db import models

from .crypto import SecretWhenMarked


class Answer(models.Model):
    """One autosaved answer. ``key`` is ``q<question id>`` for quizzes, a form field otherwise."""

    interview = models.ForeignKey(
        "assessments.Interview", on_delete=models.CASCADE, related_name="answers"
    )
    key = models.CharField(max_length=40)
    value = models.JSONField(default=str, blank=True)
    saved_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["interview", "key"], name="unique_answer_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.key} of {self.interview_id}"


class InterviewEvent(models.Model):
    """A timestamped candidate action or status change; the ordered list is the transcript.

    ``data`` never holds answer text or secrets: only which answers were saved.
    """

    interview = models.ForeignKey(
        "assessments.Interview", on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=40)
    at = models.DateTimeField()
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M:%S}"


class ScoreLine(models.Model):
    """One line of the breakdown: a rubric criterion or a quiz question."""

    interview = models.ForeignKey(
        "assessments.Interview", on_delete=models.CASCADE, related_name="score_lines"
    )
    position = models.PositiveIntegerField(default=0)
    label = models.CharField(max_length=300)
    points = models.DecimalField(max_digits=7, decimal_places=2)
    max_points = models.DecimalField(max_digits=7, decimal_places=2)
    comment = models.TextField(blank=True)
    criterion = models.ForeignKey(
        "assessments.RubricCriterion", null=True, blank=True, on_delete=models.SET_NULL
    )
    question = models.ForeignKey(
        "assessments.Question", null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.label}: {self.points}/{self.max_points}"


class EnvironmentValue(SecretWhenMarked, models.Model):
    """The value of one environment field for one interview, materialized at Start."""

    interview = models.ForeignKey(
        "assessments.Interview", on_delete=models.CASCADE, related_name="environment_values"
    )
    field = models.ForeignKey("assessments.EnvironmentField", on_delete=models.CASCADE)
    label = models.CharField(max_length=100)
    is_secret = models.BooleanField(default=False)
    value_stored = models.TextField(blank=True)

    class Meta:
        ordering = ["field__position", "field_id"]
        constraints = [
            models.UniqueConstraint(fields=["interview", "field"], name="unique_env_value")
        ]

    def __str__(self) -> str:
        return self.label
