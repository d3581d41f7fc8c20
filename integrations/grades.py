"""Grades an ATS shows next to the score: two thresholds, in percent of the maximum score,
set per organization.

Each plug-in names its grades in its ATS's words (Workable: failed / passed / excelled,
Teamtailor: might not be / might be / top fit), so the columns keep those names; what they
share is built here: the column, the database check that the lower threshold is at most
the upper, the same check for a service, and the grading.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator
from django.db import models


def threshold_field(*, default: int, help_text: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        default=default, validators=[MaxValueValidator(100)], help_text=help_text
    )


def thresholds_in_order(*, lower: str, upper: str, name: str) -> models.CheckConstraint:
    """The database refuses a lower threshold above the upper one."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{lower}__lte": models.F(upper)}), name=name
    )


def thresholds_check(lower: int, upper: int, *, message: str) -> None:
    if not 0 <= lower <= upper <= 100:
        raise ValueError(message)


def grade_of(
    percent: Decimal | int | None, *, upper: int, lower: int, names: tuple[str, str, str]
) -> str | None:
    """``names``: the grade at or above ``upper``, at or above ``lower``, and below it."""
    if percent is None:
        return None
    top, middle, bottom = names
    if percent >= upper:
        return top
    return middle if percent >= lower else bottom
