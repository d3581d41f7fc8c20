"""Two notice sweeps at once (two beat processes by mistake) send each email exactly once.

The unique CandidateNotice row is the claim. Threads race on their own connections
(``transaction=True``: each sees committed rows only), then two real ``python`` processes race
on the test database, emailing through Django's file backend so every sent message is counted.
PostgreSQL lets the sweeps truly overlap; SQLite serializes them and must give the same count.
"""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from assessments.hiring_models import CandidateNotice
from assessments.models import Candidate, Interview, InterviewEvent
from assessments.reminders import candidate_notices_send
from tests.delivery_helpers import database_url_for_workers
from tests.test_concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 10
REMINDERS, EXPIRED = 6, 4
S = Interview.Status
ROOT = Path(__file__).resolve().parent.parent


def due_interviews(org, catalog, tag: str) -> list[Interview]:
    """REMINDERS invitations inside their 3-day reminder slot, EXPIRED that just expired."""
    now = timezone.now()
    candidate = Candidate.objects.create(
        organization=org, first_name="Ada", last_name="Lovelace", email=f"ada-{tag}@example.com"
    )

    def interview(n: int, status: str, expires_at) -> Interview:
        return Interview(
            organization=org,
            test=catalog["py-fastapi-review"],
            candidate=candidate,
            source="greenhouse",
            callback_url=f"https://ats.example.com/race/{tag}/{n}",
            status=status,
            sent_at=now - timedelta(days=10),
            status_changed_at=now - timedelta(days=10),
            expires_at=expires_at,
        )

    return Interview.objects.bulk_create(
        [interview(n, S.SENT, now + timedelta(days=3, hours=-1)) for n in range(REMINDERS)]
        + [interview(REMINDERS + n, S.EXPIRED, now - timedelta(minutes=5)) for n in range(EXPIRED)]
    )


def assert_each_sent_once(interviews) -> None:
    notices = CandidateNotice.objects.filter(interview__in=interviews)
    assert notices.count() == REMINDERS + EXPIRED
    assert not notices.filter(sent_at=None).exists()
    events = InterviewEvent.objects.filter(interview__in=interviews)
    assert events.filter(kind="reminder_sent").count() == REMINDERS
    assert events.filter(kind="expiry_notice_sent").count() == EXPIRED


def test_two_sweeps_in_threads_send_each_notice_once(org, catalog):
    for round_number in range(ROUNDS):
        interviews = due_interviews(org, catalog, f"t{round_number}")
        outbox_before = len(mail.outbox)

        first, second = run_together(candidate_notices_send, candidate_notices_send)

        assert first.reminders + second.reminders == REMINDERS, (round_number, first, second)
        assert first.expiry_notices + second.expiry_notices == EXPIRED
        assert len(mail.outbox) - outbox_before == REMINDERS + EXPIRED
        assert_each_sent_once(interviews)


def test_two_sweeps_taking_over_one_failed_claim_send_it_once(org, catalog, settings):
    stale = timezone.now() - timedelta(minutes=settings.MARIOHR_REMINDER_RETRY_MINUTES + 1)
    for round_number in range(ROUNDS):
        [interview] = due_interviews(org, catalog, f"s{round_number}")[:1]
        # Everything else of the round is sent; this one's send failed a while ago.
        candidate_notices_send()
        notice = CandidateNotice.objects.get(interview=interview)
        CandidateNotice.objects.filter(pk=notice.pk).update(sent_at=None, created_at=stale)
        outbox_before = len(mail.outbox)

        first, second = run_together(candidate_notices_send, candidate_notices_send)

        assert (first.reminders + second.reminders, len(mail.outbox) - outbox_before) == (1, 1)
        assert CandidateNotice.objects.get(pk=notice.pk).sent_at is not None


SWEEP = """
import json, os, sys, time
import django
django.setup()
from django.conf import settings
from django.db import connection
from assessments.reminders import candidate_notices_send
settings.EMAIL_FILE_PATH = sys.argv[2]
connection.ensure_connection()
print("ready", flush=True)
while not os.path.exists(sys.argv[1]):
    time.sleep(0.005)
sent = candidate_notices_send()
print(json.dumps([sent.reminders, sent.expiry_notices]), flush=True)
"""


def sweep_process(go: Path, mailbox: Path) -> subprocess.Popen:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mariohr.settings",
        "DATABASE_URL": database_url_for_workers(),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
    }
    return subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", SWEEP, str(go), str(mailbox)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def messages_in(mailbox: Path) -> int:
    files = mailbox.glob("*.log") if mailbox.exists() else []
    return sum(line.startswith("Subject: ") for f in files for line in f.read_text().splitlines())


def test_two_sweep_processes_send_each_notice_once(org, catalog, tmp_path):
    for round_number in range(3):
        interviews = due_interviews(org, catalog, f"p{round_number}")
        go, mailbox = tmp_path / f"go-{round_number}", tmp_path / f"mail-{round_number}"
        processes = [sweep_process(go, mailbox) for _ in range(2)]
        try:
            for process in processes:
                assert process.stdout.readline().strip() == "ready", process.stderr.read()
            go.touch()
            outputs = [process.communicate(timeout=120) for process in processes]
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
                    process.wait(timeout=30)

        assert [process.returncode for process in processes] == [0, 0], outputs
        counts = [json.loads(stdout.strip().splitlines()[-1]) for stdout, _ in outputs]
        assert [sum(column) for column in zip(*counts, strict=True)] == [REMINDERS, EXPIRED]
        assert messages_in(mailbox) == REMINDERS + EXPIRED
        assert_each_sent_once(interviews)
