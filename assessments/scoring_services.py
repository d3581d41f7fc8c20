"""Scoring workflows: automatic for quizzes, by a reviewer against the rubric for the rest."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from .models import Interview, ScoreLine
from .scoring import CENT, LineScore, quiz_lines
from .services import IllegalTransition, interview_score

S = Interview.Status


class ScoreInvalid(Exception):
    """Reviewer input that cannot be saved; ``errors`` maps a field name to its problem."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {problem}" for field, problem in errors.items()))


@dataclass(frozen=True)
class CriterionScore:
    points: Decimal
    comment: str = ""


def _score_lines_replace(*, interview: Interview, lines: list[ScoreLine]) -> None:
    interview.score_lines.all().delete()
    ScoreLine.objects.bulk_create(lines)


def interview_quiz_score(*, interview: Interview, automatic: bool = False) -> Interview:
    """Grade the saved answers and complete the interview in one step."""
    with transaction.atomic():
        interview = Interview.objects.select_for_update().get(pk=interview.pk)
        if interview.status != S.IN_PROGRESS:
            raise IllegalTransition(interview, S.COMPLETE)
        questions = interview.test.questions.prefetch_related("choices")
        answers = dict(interview.answers.values_list("key", "value"))
        scored: list[LineScore] = quiz_lines(questions, answers)
        _score_lines_replace(
            interview=interview,
            lines=[
                ScoreLine(
                    interview=interview,
                    position=position,
                    label=line.label,
                    points=line.points,
                    max_points=line.max_points,
                    question=line.question,
                )
                for position, line in enumerate(scored)
            ],
        )
        return interview_score(
            interview=interview,
            score=sum((line.points for line in scored), Decimal(0)),
            max_score=sum((line.max_points for line in scored), Decimal(0)),
            event_data={"automatic": True} if automatic else None,
        )


def interview_review_score(
    *, interview: Interview, scores: dict[int, CriterionScore], reviewer
) -> Interview:
    """Save a reviewer's rubric scores (or a correction) and complete the interview.

    ``scores`` maps each rubric criterion id to its points and comment; every criterion must be
    scored, within 0 and its maximum.
    """
    criteria = list(interview.test.criteria.all())
    errors = {}
    for criterion in criteria:
        entry = scores.get(criterion.pk)
        field = f"criterion_{criterion.pk}"
        if entry is None or entry.points is None:
            errors[field] = f"Give points for '{criterion.title}'."
        elif not (0 <= entry.points <= criterion.max_points):
            errors[field] = f"Points must be between 0 and {criterion.max_points}."
        elif Decimal(str(entry.points)) != Decimal(str(entry.points)).quantize(CENT):
            # Stored with two decimals; more would make the total disagree with the lines.
            errors[field] = "Use at most two decimals."
    unknown = set(scores) - {criterion.pk for criterion in criteria}
    if unknown:
        errors["criteria"] = f"Unknown criteria: {sorted(unknown)}."
    if not criteria:
        errors["criteria"] = "This test has no rubric; add criteria in the catalog first."
    if errors:
        raise ScoreInvalid(errors)
    with transaction.atomic():
        interview = Interview.objects.select_for_update().get(pk=interview.pk)
        if interview.status not in (S.SUBMITTED, S.COMPLETE):
            raise IllegalTransition(interview, S.COMPLETE)
        _score_lines_replace(
            interview=interview,
            lines=[
                ScoreLine(
                    interview=interview,
                    position=position,
                    label=criterion.title,
                    points=scores[criterion.pk].points,
                    max_points=criterion.max_points,
                    comment=scores[criterion.pk].comment.strip(),
                    criterion=criterion,
                )
                for position, criterion in enumerate(criteria)
            ],
        )
        return interview_score(
            interview=interview,
            score=sum((scores[c.pk].points for c in criteria), Decimal(0)),
            max_score=sum((c.max_points for c in criteria), Decimal(0)),
            scored_by=reviewer,
            # The id, not the login: reports name reviewers by display name only.
            event_data={"reviewer_id": reviewer.pk} if reviewer else None,
        )
