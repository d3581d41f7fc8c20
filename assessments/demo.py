"""The demo catalog and organization that `seed_demo` creates (idempotently)."""

from decimal import Decimal

from .models import Organization, Test
from .services import organization_create

DEMO_TESTS = [
    {
        "partner_test_id": "py-fastapi-review",
        "name": "Python FastAPI Code Review",
        "description": "Repo-based exercise for backend roles.",
        "kind": Test.Kind.REPO_REVIEW,
        "max_score": Decimal("100"),
        "time_limit_minutes": 120,
    },
    {
        "partner_test_id": "python-fundamentals-quiz",
        "name": "Python Fundamentals Quiz",
        "description": "Twenty-minute quiz on core Python for any engineering role.",
        "kind": Test.Kind.QUIZ,
        "max_score": Decimal("10"),
        "time_limit_minutes": 20,
    },
    {
        "partner_test_id": "sql-data-modeling",
        "name": "SQL Data Modeling Exercise",
        "description": "Design a schema and write queries for a small booking system.",
        "kind": Test.Kind.REPO_REVIEW,
        "max_score": Decimal("100"),
        "time_limit_minutes": 90,
    },
]


def demo_catalog_seed() -> list[Test]:
    tests = []
    for spec in DEMO_TESTS:
        test, _ = Test.objects.update_or_create(
            partner_test_id=spec["partner_test_id"],
            defaults={k: v for k, v in spec.items() if k != "partner_test_id"},
        )
        tests.append(test)
    return tests


def demo_organization_seed() -> Organization:
    tests = demo_catalog_seed()
    organization = Organization.objects.filter(slug="demo").first()
    if organization is None:
        organization = organization_create(name="Demo Company", slug="demo")
    organization.enabled_tests.add(*tests)
    return organization
