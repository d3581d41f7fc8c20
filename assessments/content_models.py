"""Catalog content edited in the admin: environment fields, rubric criteria, quiz questions."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models

from .crypto import SecretWhenMarked


class EnvironmentField(SecretWhenMarked, models.Model):
    """A per-interview value the candidate needs (sandbox URL, username, password...).

    ``value`` may contain ``{interview}``, replaced by a short per-interview id at Start.
    Secret values are stored encrypted and only ever shown to the candidate after Start.
    """

    test = models.ForeignKey(
        "assessments.Test", on_delete=models.CASCADE, related_name="environment_fields"
    )
    position = models.PositiveIntegerField(default=0)
    label = models.CharField(max_length=100)
    is_secret = models.BooleanField(
        default=False, help_text="Shown to the candidate only; never in reports or the ATS."
    )
    generate = models.BooleanField(
        default=False, help_text="Generate a random value for each interview (passwords)."
    )
    value_stored = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label


class RubricCriterion(models.Model):
    test = models.ForeignKey("assessments.Test", on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    max_points = models.DecimalField(
        max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    guidance = models.TextField(blank=True, help_text="What the reviewer looks for.")

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "rubric criteria"

    def __str__(self) -> str:
        return f"{self.title} ({self.max_points})"


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", "Single choice"
        MULTIPLE = "multiple", "Multiple choice"
        SHORT = "short", "Short answer"

    test = models.ForeignKey("assessments.Test", on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    prompt = models.TextField(help_text="Markdown.")
    points = models.DecimalField(
        max_digits=7,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    accepted_answers = models.TextField(
        blank=True,
        help_text="Short answer only: one accepted answer per line (case and spacing ignored).",
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"Q{self.position}: {self.prompt[:60]}"

    @property
    def answer_key(self) -> str:
        return f"q{self.pk}"

    @property
    def accepted_answer_list(self) -> list[str]:
        return [line.strip() for line in self.accepted_answers.splitlines() if line.strip()]


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveIntegerField(default=0)
    text = models.CharField(max_length=500)
    is_correct = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text
