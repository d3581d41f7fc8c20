"""Scoring workflows: automatic for quizzes, by a reviewer against the rubric for the rest."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from .models import Interview, ScoreLine
from .reports import reviewer_display_name
from .scoring import CENT, LineScore, quiz_lines
from .services import IllegalTransition, interview_score

S = Interview.Status


class ScoreInvalid(Exception):
    """Reviewer input that cannot be saved; ``errors`` maps a field name to its problem."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {problem}" for field, problem in errors.items()))


class ScoreStale(Exception):
    """The interview changed since the scoring page was built; ``str()`` says how.

    ``repeat``: what changed is this very score, saved by the same reviewer (a double click).
    """

    def __init__(self, message: str, *, repeat: bool = False):
        self.repeat = repeat
        super().__init__(message)


@dataclass(frozen=True)
class CriterionScore:
    points: Decimal
    comment: str = ""


@dataclass(frozen=True)
class ScorePage:
    """What a scoring page showed: the attempt, and the time of the score it showed (None: the
    interview was waiting for its first score)."""

    attempt: int
    scored_at: datetime | None


def _page_check(*, interview: Interview, page: ScorePage, lines: list[ScoreLine], reviewer):
    """Refuse a score posted from a page built on another attempt or another score."""
    if interview.attempt_number != page.attempt:
        raise ScoreStale(
            f"This is a new attempt (attempt {interview.attempt_number}) since you opened this "
            "page: review its answers below before scoring it."
        )
    if interview.scored_at == page.scored_at:
        return
    if interview.scored_at is None:
        raise ScoreStale("This interview changed since you opened this page: review it below.")
    saved = {(line.criterion_id, line.points, line.comment) for line in interview.score_lines.all()}
    if interview.scored_by_id == getattr(reviewer, "pk", None) and saved == {
        (line.criterion_id, line.points, line.comment) for line in lines
    }:
        raise ScoreStale("This score is already saved.", repeat=True)
    when = timezone.localtime(interview.scored_at)
    at = f"{when:%H:%M}" if when.date() == timezone.localdate() else f"{when.day} {when:%b %H:%M}"
    verb = "Scored" if page.scored_at is None else "Score corrected"
    raise ScoreStale(
        f"{verb} by {reviewer_display_name(interview.scored_by)} at {at} {when.tzname()} since "
        "you opened this page: review the score below and correct it if needed."
    )


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
    *,
    interview: Interview,
    scores: dict[int, CriterionScore],
    reviewer,
    page: ScorePage | None = None,
) -> Interview:
    """Save a reviewer's rubric scores (or a correction) and complete the interview.

    ``scores`` maps each rubric criterion id to its points and comment; every criterion must be
    scored, within 0 and its maximum. With ``page`` (what the reviewer's page showed), a score
    for another attempt or over a score saved since is refused with ScoreStale.
    """
    criteria = list(interview.test.criteria.all())
    errors, given = {}, {}
    for criterion in criteria:
        entry = scores.get(criterion.pk)
        field = f"criterion_{criterion.pk}"
        points = None if entry is None or entry.points is None else Decimal(str(entry.points))
        if points is None:
            errors[field] = f"Give points for '{criterion.title}'."
        elif not points.is_finite():
            errors[field] = f"Points for '{criterion.title}' must be a number."
        elif not (0 <= points <= criterion.max_points):
            errors[field] = f"Points must be between 0 and {criterion.max_points}."
        elif points != points.quantize(CENT):
            # Stored with two decimals; more would make the total disagree with the lines.
            errors[field] = "Use at most two decimals."
        else:
            # "0E-999999999" is a valid zero, but unquantized it overflows the column.
            given[criterion.pk] = points.quantize(CENT)
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
        lines = [
            ScoreLine(
                interview=interview,
                position=position,
                label=criterion.title,
                points=given[criterion.pk],
                max_points=criterion.max_points,
                comment=scores[criterion.pk].comment.strip(),
                criterion=criterion,
            )
            for position, criterion in enumerate(criteria)
        ]
        if page is not None:
            _page_check(interview=interview, page=page, lines=lines, reviewer=reviewer)
        _score_lines_replace(interview=interview, lines=lines)
        return interview_score(
            interview=interview,
            score=sum((line.points for line in lines), Decimal(0)),
            max_score=sum((c.max_points for c in criteria), Decimal(0)),
            scored_by=reviewer,
            # The id, not the login: reports name reviewers by display name only.
            event_data={"reviewer_id": reviewer.pk} if reviewer else None,
        )
