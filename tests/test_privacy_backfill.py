"""The privacy backfill migration: one retention clock per ended interview, by the clocks' rule."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from assessments.models import Candidate, Interview
from assessments.privacy.models import RetentionClock

BEFORE = [("privacy", "0001_initial")]
AFTER = [("privacy", "0002_backfill_retention_clocks")]


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_backfill_starts_one_clock_per_ended_interview_by_the_clock_rule(org, catalog):
    migrate(BEFORE)
    candidate = Candidate.objects.create(
        organization=org, first_name="Ada", last_name="Lovelace", email="ada@example.com"
    )
    base = timezone.now().replace(microsecond=0) - timedelta(days=100)
    # Each timestamp distinct, so an assertion tells which one the rule took.
    sent, submitted, cancelled = base, base + timedelta(days=1), base + timedelta(days=2)
    expires, changed = base + timedelta(days=3), base + timedelta(days=4)

    def interview(status, **stamps):
        return Interview.objects.create(
            organization=org,
            test=catalog["py-fastapi-review"],
            candidate=candidate,
            source="greenhouse",
            status=status,
            sent_at=sent,
            expires_at=expires,
            status_changed_at=changed,
            **stamps,
        )

    expected = {
        interview("submitted", submitted_at=submitted).pk: submitted,
        interview("complete", submitted_at=submitted, cancelled_at=cancelled).pk: submitted,
        interview("cancelled", cancelled_at=cancelled).pk: cancelled,
        interview("expired").pk: expires,
        # Not expired, so its deadline is not when it ended: the last status change is.
        interview("complete").pk: changed,
        interview("cancelled").pk: changed,
    }
    live = [interview("sent").pk, interview("in_progress", submitted_at=submitted).pk]
    # A clock from before (a purge already ran for it) is left as it was.
    kept = interview("complete", submitted_at=submitted)
    purged_at = timezone.now().replace(microsecond=0)
    RetentionClock.objects.create(
        interview=kept, organization=org, ended_at=sent, recording_purged_at=purged_at
    )

    migrate(AFTER)

    clocks = {clock.interview_id: clock for clock in RetentionClock.objects.all()}
    assert {pk: clocks[pk].ended_at for pk in expected} == expected
    assert not any(pk in clocks for pk in live)
    assert len(clocks) == len(expected) + 1
    assert all(clocks[pk].organization_id == org.pk for pk in expected)
    assert all(clocks[pk].recording_purged_at is None for pk in expected)
    assert all(clocks[pk].anonymized_at is None for pk in expected)
    assert (clocks[kept.pk].ended_at, clocks[kept.pk].recording_purged_at) == (sent, purged_at)

    migrate(BEFORE)  # reversing leaves the clocks (noop); forward again adds nothing
    assert RetentionClock.objects.count() == len(expected) + 1
    migrate(None)
    assert RetentionClock.objects.count() == len(expected) + 1
