"""The demo catalog and organization that `seed_demo` creates (idempotently)."""

from decimal import Decimal

from django.db import transaction

from .models import Choice, EnvironmentField, Organization, Question, RubricCriterion, Test
from .services import organization_create

FASTAPI_INSTRUCTIONS = """\
You join a team that runs a small **orders API** written with FastAPI. A colleague opened a
pull request that adds order cancellation. Review it as you would at work.

1. Clone the repository (or download the starter archive) and run it: `make run`.
2. Log in to your sandbox with the credentials below to try the API.
3. Read the pull request and write your review: bugs, security problems, missing tests,
   and what you would change first. Point at files and lines.

Paste the link to your review (or a fork with your comments) and your notes below. There is
no need to fix the code: we score the review.
"""

SQL_INSTRUCTIONS = """\
Design the schema of a small booking system (rooms, guests, bookings, payments) and write
the queries listed in `TASKS.md`. Put your work in a repository and share the link below.
"""

DEMO_TESTS = [
    {
        "partner_test_id": "py-fastapi-review",
        "name": "Python FastAPI Code Review",
        "description": "Repo-based exercise for backend roles.",
        "kind": Test.Kind.REPO_REVIEW,
        "max_score": Decimal("100"),
        "time_limit_minutes": 120,
        "instructions": FASTAPI_INSTRUCTIONS,
        "repository_url": "https://github.com/mariohr-demo/fastapi-orders-review",
    },
    {
        "partner_test_id": "python-fundamentals-quiz",
        "name": "Python Fundamentals Quiz",
        "description": "Twenty-minute quiz on core Python for any engineering role.",
        "kind": Test.Kind.QUIZ,
        "max_score": Decimal("10"),
        "time_limit_minutes": 20,
        "instructions": "Ten questions. Answer as many as you can; there is no penalty for "
        "guessing on single-choice questions.",
    },
    {
        "partner_test_id": "sql-data-modeling",
        "name": "SQL Data Modeling Exercise",
        "description": "Design a schema and write queries for a small booking system.",
        "kind": Test.Kind.REPO_REVIEW,
        "max_score": Decimal("100"),
        "time_limit_minutes": 90,
        "instructions": SQL_INSTRUCTIONS,
    },
]

RUBRICS = {
    "py-fastapi-review": [
        ("Finds the real bugs", 30, "Race on cancel, missing 404 for other users' orders."),
        ("Security", 20, "Spots the authorization gap and the SQL built with f-strings."),
        ("Code quality judgement", 20, "Names, structure, error handling; ignores nitpicks."),
        ("Testing", 15, "Asks for tests of the failure paths, proposes concrete cases."),
        ("Communication", 15, "Kind, specific, actionable; prioritizes what matters."),
    ],
    "sql-data-modeling": [
        ("Schema design", 40, "Keys, constraints, no double bookings possible."),
        ("Queries", 40, "Correct results, sensible use of joins and indexes."),
        ("Explanation", 20, "Trade-offs stated clearly."),
    ],
}

ENVIRONMENTS = {
    "py-fastapi-review": [
        # (label, value, is_secret, generate)
        ("Sandbox URL", "https://sandbox.mariohr.dev/{interview}", False, False),
        ("Username", "candidate-{interview}", False, False),
        ("Password", "", True, True),
    ],
}

# (kind, prompt, points, choices as (text, is_correct) or accepted answers)
QUIZ = [
    ("single", "What does `len({'a': 1, 'b': 2})` return?", 1,
     [("1", False), ("2", True), ("4", False), ("It raises TypeError", False)]),
    ("single", "Which of these is **immutable**?",
     1, [("list", False), ("dict", False), ("tuple", True), ("set", False)]),
    ("single", "What is printed by `print(0.1 + 0.2 == 0.3)`?", 1,
     [("True", False), ("False", True), ("None", False)]),
    ("multiple", "Which of these create a new list? Select all that apply.", 1,
     [("`[x for x in items]`", True), ("`list(items)`", True), ("`items[:]`", True),
      ("`items`", False)]),
    ("multiple", "Which statements about generators are true?", 1,
     [("They are iterated lazily", True), ("They can be iterated only once", True),
      ("`len()` works on them", False), ("They are defined with `yield`", True)]),
    ("multiple", "Which of these are falsy in Python?", 1,
     [("`0`", True), ("`''`", True), ("`'False'`", False), ("`[]`", True),
      ("`[0]`", False)]),
    ("short", "Which built-in function returns both index and item while looping over a list?",
     1, ["enumerate", "enumerate()"]),
    ("short", "Which keyword defines an anonymous function?", 1, ["lambda"]),
    ("short", "What does `'MarioHR'.lower()` return? (without quotes)", 1, ["mariohr"]),
    ("short", "Name the statement that handles exceptions together with `except`.", 1,
     ["try", "try statement"]),
]  # fmt: skip


def _sync_rubric(test: Test, rubric) -> None:
    for position, (title, max_points, guidance) in enumerate(rubric):
        RubricCriterion.objects.update_or_create(
            test=test,
            position=position,
            defaults={"title": title, "max_points": Decimal(max_points), "guidance": guidance},
        )
    test.criteria.filter(position__gte=len(rubric)).delete()


def _sync_environment(test: Test, fields) -> None:
    for position, (label, value, is_secret, generate) in enumerate(fields):
        field = test.environment_fields.filter(position=position).first() or EnvironmentField(
            test=test, position=position
        )
        field.label, field.is_secret, field.generate = label, is_secret, generate
        field.value = value
        field.save()
    test.environment_fields.filter(position__gte=len(fields)).delete()


def _sync_quiz(test: Test) -> None:
    # Questions are updated in place: saved answers refer to them by id.
    for position, (kind, prompt, points, extra) in enumerate(QUIZ):
        question, _ = Question.objects.update_or_create(
            test=test,
            position=position,
            defaults={
                "kind": kind,
                "prompt": prompt,
                "points": Decimal(points),
                "accepted_answers": "\n".join(extra) if kind == "short" else "",
            },
        )
        choices = [] if kind == "short" else extra
        for choice_position, (text, is_correct) in enumerate(choices):
            Choice.objects.update_or_create(
                question=question,
                position=choice_position,
                defaults={"text": text, "is_correct": is_correct},
            )
        question.choices.filter(position__gte=len(choices)).delete()
    test.questions.filter(position__gte=len(QUIZ)).delete()


@transaction.atomic
def demo_catalog_seed() -> list[Test]:
    tests = []
    for spec in DEMO_TESTS:
        test, _ = Test.objects.update_or_create(
            partner_test_id=spec["partner_test_id"],
            defaults={k: v for k, v in spec.items() if k != "partner_test_id"},
        )
        if test.partner_test_id in RUBRICS:
            _sync_rubric(test, RUBRICS[test.partner_test_id])
        _sync_environment(test, ENVIRONMENTS.get(test.partner_test_id, []))
        if test.kind == Test.Kind.QUIZ:
            _sync_quiz(test)
        tests.append(test)
    return tests


def demo_organization_seed() -> Organization:
    tests = demo_catalog_seed()
    organization = Organization.objects.filter(slug="demo").first()
    if organization is None:
        organization = organization_create(name="Demo Company", slug="demo")
    organization.enabled_tests.add(*tests)
    return organization
