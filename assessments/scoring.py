"""Quiz grading: pure functions, question and answer in, points out.

Partial credit (documented in README):
- single choice: all points for the correct choice, else 0;
- multiple choice: points x (right picks - wrong picks) / number of correct choices, floored
  at 0 and rounded to cents; so picking everything never beats picking nothing;
- short answer: all points when the answer matches an accepted answer ignoring case and
  whitespace (runs of spaces count as one, ends are trimmed), else 0.
"""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .models import Question

CENT = Decimal("0.01")
# Plain decimal notation only (any script's digits, as Decimal reads them): no exponent, which
# can put a zero out of the database's range, and no underscores ("1_0" would read as 10).
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


@dataclass(frozen=True)
class LineScore:
    label: str
    points: Decimal
    max_points: Decimal
    question: Question | None = None


def points_parse(raw: str) -> Decimal | None:
    """The points a reviewer typed, or None when ``raw`` is not a plain decimal number."""
    if not PLAIN_NUMBER.fullmatch(raw):
        return None
    try:
        return Decimal(raw)
    except InvalidOperation:  # a digit re counts that Decimal does not read
        return None


def normalize_text(text) -> str:
    return " ".join(str(text).split()).casefold()


def _choice_ids(value) -> set[str]:
    if isinstance(value, list):
        return {str(item) for item in value}
    return {str(value)} if value not in (None, "") else set()


def question_points(question: Question, value) -> Decimal:
    """Points earned by ``value`` (the saved answer, or None) on ``question``."""
    if value in (None, "", []):
        return Decimal("0.00")
    if question.kind == Question.Kind.SHORT:
        accepted = {normalize_text(answer) for answer in question.accepted_answer_list}
        earned = question.points if normalize_text(value) in accepted else Decimal(0)
        return earned.quantize(CENT)
    choices = list(question.choices.all())
    correct = {str(choice.pk) for choice in choices if choice.is_correct}
    picked = _choice_ids(value) & {str(choice.pk) for choice in choices}
    if question.kind == Question.Kind.SINGLE:
        earned = question.points if len(picked) == 1 and picked <= correct else Decimal(0)
        return earned.quantize(CENT)
    if not correct:
        return Decimal("0.00")
    fraction = Decimal(len(picked & correct) - len(picked - correct)) / len(correct)
    return max(Decimal(0), question.points * fraction).quantize(CENT, rounding=ROUND_HALF_UP)


def question_label(question: Question, number: int) -> str:
    first_line = question.prompt.strip().splitlines()[0] if question.prompt.strip() else ""
    return f"Q{number}. {first_line}"[:300]


def quiz_lines(questions, answers: dict) -> list[LineScore]:
    """One line per question, in order; ``answers`` maps answer keys to saved values."""
    return [
        LineScore(
            label=question_label(question, number),
            points=question_points(question, answers.get(question.answer_key)),
            max_points=question.points,
            question=question,
        )
        for number, question in enumerate(questions, start=1)
    ]
