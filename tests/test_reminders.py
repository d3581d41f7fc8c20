# ruff: noqa: F811 - fixtures imported from tests.candidate_factories and test_sweeper_plans
"""Reminders before an invitation's deadline and the notice once it expired: when each goes
out, to whom, with what, exactly once; the policy in the admin; the sweep's query plan."""

import os
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import services as lifecycle
from assessments.hiring_models import CandidateNotice, CandidatePolicy
from assessments.models import Candidate, Interview
from assessments.reminders import candidate_notices_send, reminder_days_clean
from assessments.tasks import expire_interviews, send_candidate_notices
from mariohr.celery import app
from tests.candidate_factories import sent_interview  # noqa: F401
from tests.test_admin_permissions import logged_in, people  # noqa: F401
from tests.test_sweeper_plans import SCAN, big_history, index_named  # noqa: F401

pytestmark = pytest.mark.django_db
S = Interview.Status
SMTP = "django.core.mail.backends.smtp.EmailBackend"


def place(interview, *, deadline_in, invited_ago=timedelta(days=10)):
    """Move the interview's deadline and the moment it was sent (status_changed_at too)."""
    now = timezone.now()
    Interview.objects.filter(pk=interview.pk).update(
        expires_at=now + deadline_in, sent_at=now - invited_ago, status_changed_at=now - invited_ago
    )
    interview.refresh_from_db()
    return interview


def due(interview, days=3):
    """Placed one hour into its ``days``-days-before reminder slot."""
    return place(interview, deadline_in=timedelta(days=days) - timedelta(hours=1))


def kinds_logged(interview, kind):
    return [event.data for event in interview.events.filter(kind=kind).order_by("at", "id")]


def test_a_due_reminder_is_emailed_once_with_the_link_and_the_deadline(
    sent_interview, celery_eager
):
    interview = due(sent_interview())
    assert send_candidate_notices.delay().get() == {"reminders": 1, "expiry_notices": 0}
    assert send_candidate_notices.delay().get() == {"reminders": 0, "expiry_notices": 0}

    [message] = mail.outbox
    assert message.to == ["ada@example.com"]
    assert message.subject == f"Reminder: {interview.test.name} for Acme Corp"
    link = lifecycle.candidate_link(interview)
    deadline = interview.expires_at.strftime("%-d %B %Y, %H:%M")
    assert f"\n{link}\n" in message.body
    assert f"valid until {deadline} UTC" in message.body
    [(html_body, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert f'href="{link}"' in html_body and deadline in html_body
    # Transactional: nothing to unsubscribe from.
    assert "unsubscribe" not in (message.body + html_body).lower()
    assert "List-Unsubscribe" not in message.message().as_string()

    notice = CandidateNotice.objects.get(interview=interview)
    assert (notice.kind, notice.slot, notice.deadline) == ("reminder", 3, interview.expires_at)
    assert notice.sent_at is not None
    assert kinds_logged(interview, "reminder_sent") == [
        {"slot": 3, "deadline": interview.expires_at.isoformat()}
    ]


def test_no_reminder_before_the_slot_or_after_its_window(sent_interview, settings):
    place(sent_interview(), deadline_in=timedelta(days=3, hours=1))
    window = timedelta(hours=settings.MARIOHR_REMINDER_WINDOW_HOURS)
    place(sent_interview(), deadline_in=timedelta(days=3) - window - timedelta(minutes=5))
    assert candidate_notices_send().reminders == 0
    assert mail.outbox == [] and not CandidateNotice.objects.exists()


def test_no_reminder_once_the_test_was_started(sent_interview):
    interview = lifecycle.interview_start(interview=sent_interview())
    due(interview)
    assert candidate_notices_send().reminders == 0
    assert mail.outbox == []


def test_no_reminder_right_after_an_invitation_sent_inside_the_slot(sent_interview):
    place(sent_interview(), deadline_in=timedelta(days=3, hours=-2), invited_ago=timedelta(hours=1))
    assert candidate_notices_send().reminders == 0
    assert mail.outbox == []


def test_a_policy_with_two_days_reminds_in_each_slot(org, sent_interview):
    CandidatePolicy.objects.create(organization=org, reminder_days_before=[7, 1])
    interview = due(sent_interview(), days=7)
    now = timezone.now()
    assert candidate_notices_send(now=now).reminders == 1
    # The default 3-day slot is not this organization's.
    assert candidate_notices_send(now=now + timedelta(days=4)).reminders == 0
    assert candidate_notices_send(now=now + timedelta(days=6)).reminders == 1
    assert candidate_notices_send(now=now + timedelta(days=6)).reminders == 0
    assert [data["slot"] for data in kinds_logged(interview, "reminder_sent")] == [7, 1]
    assert len(mail.outbox) == 2


@pytest.mark.parametrize("policy", [{"reminders_enabled": False}, {"reminder_days_before": []}])
def test_an_organization_can_turn_reminders_off(org, sent_interview, policy):
    CandidatePolicy.objects.create(organization=org, **policy)
    due(sent_interview())
    assert candidate_notices_send().reminders == 0
    assert mail.outbox == []


def test_an_extended_deadline_gets_a_fresh_reminder(sent_interview):
    interview = due(sent_interview())
    assert candidate_notices_send().reminders == 1
    extended = interview.expires_at + timedelta(days=2)
    Interview.objects.filter(pk=interview.pk).update(expires_at=extended)
    assert candidate_notices_send().reminders == 0
    assert candidate_notices_send(now=timezone.now() + timedelta(days=2)).reminders == 1
    deadlines = CandidateNotice.objects.filter(interview=interview).values_list("deadline")
    assert sorted(d for (d,) in deadlines) == [interview.expires_at, extended]
    assert len(mail.outbox) == 2


def test_a_sweep_sends_at_most_the_batch(sent_interview, settings):
    settings.MARIOHR_REMINDER_BATCH = 2
    for _ in range(3):
        due(sent_interview())
    assert candidate_notices_send().reminders == 2
    assert candidate_notices_send().reminders == 1
    assert len(mail.outbox) == 3


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_failed_send_is_retried_after_the_delay_and_never_sent_twice(sent_interview, settings):
    interview = due(sent_interview())
    settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT = (
        SMTP,
        "127.0.0.1",
        closed_port(),
    )
    assert candidate_notices_send().reminders == 0
    notice = CandidateNotice.objects.get(interview=interview)
    assert notice.sent_at is None
    assert kinds_logged(interview, "reminder_sent") == []

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # The claim is recent: another sweeper may still be sending it.
    assert candidate_notices_send().reminders == 0
    stale = timezone.now() - timedelta(minutes=settings.MARIOHR_REMINDER_RETRY_MINUTES + 1)
    CandidateNotice.objects.filter(pk=notice.pk).update(created_at=stale)
    assert candidate_notices_send().reminders == 1
    CandidateNotice.objects.filter(pk=notice.pk).update(created_at=stale)
    assert candidate_notices_send().reminders == 0
    assert len(mail.outbox) == 1
    assert CandidateNotice.objects.get(pk=notice.pk).sent_at is not None
    assert len(kinds_logged(interview, "reminder_sent")) == 1


def expire(interview):
    place(interview, deadline_in=-timedelta(minutes=1))
    assert expire_interviews() >= 1
    interview.refresh_from_db()
    assert interview.status == S.EXPIRED
    return interview


def test_an_expired_invitation_gets_one_notice_naming_the_policy_contact(
    org, sent_interview, celery_eager
):
    CandidatePolicy.objects.create(
        organization=org, contact_name="Jo Recruiter", contact_email="jo@acme.example"
    )
    interview = expire(sent_interview())
    assert send_candidate_notices.delay().get() == {"reminders": 0, "expiry_notices": 1}
    assert candidate_notices_send().expiry_notices == 0

    [message] = mail.outbox
    assert message.to == ["ada@example.com"]
    assert message.subject == f"Your link to {interview.test.name} has expired"
    assert message.reply_to == ["jo@acme.example"]
    assert "please contact Jo Recruiter at jo@acme.example" in message.body
    assert interview.expires_at.strftime("expired on %-d %B %Y, %H:%M UTC") in message.body
    [(html_body, _)] = message.alternatives
    assert 'href="mailto:jo@acme.example"' in html_body
    assert kinds_logged(interview, "expiry_notice_sent") == [
        {"slot": 0, "deadline": interview.expires_at.isoformat()}
    ]


def test_without_a_policy_contact_the_notice_names_who_sent_the_test(sent_interview):
    interview = sent_interview()
    Interview.objects.filter(pk=interview.pk).update(sent_by="recruiter@acme.example")
    expire(interview)
    assert candidate_notices_send().expiry_notices == 1
    [message] = mail.outbox
    assert "please contact Acme Corp at recruiter@acme.example" in message.body
    assert message.reply_to == ["recruiter@acme.example"]


def test_a_sender_that_is_no_address_leaves_the_organization_as_contact(sent_interview):
    interview = sent_interview()
    Interview.objects.filter(pk=interview.pk).update(sent_by="Jo <jo@acme.example>\nBcc: x@y.z")
    expire(interview)
    assert candidate_notices_send().expiry_notices == 1
    [message] = mail.outbox
    assert "please contact Acme Corp, who invited you." in message.body
    assert message.reply_to == []


def test_an_email_that_cannot_be_sent_does_not_stop_the_others(sent_interview):
    broken, fine = due(sent_interview()), due(sent_interview())
    Candidate.objects.filter(pk=broken.candidate_id).update(email="ada\n@example.com")
    assert candidate_notices_send().reminders == 1
    [message] = mail.outbox
    assert message.to == [fine.candidate.email]
    assert CandidateNotice.objects.get(interview=broken).sent_at is None
    assert kinds_logged(broken, "reminder_sent") == []


def test_no_expiry_notice_when_the_time_limit_ran_out_or_long_ago(sent_interview, settings):
    started = lifecycle.interview_start(interview=sent_interview())
    lifecycle.interview_expire(interview=started, reason="time_limit")
    old = sent_interview()
    lifecycle.interview_expire(interview=old, reason="invitation")
    place(old, deadline_in=-timedelta(hours=settings.MARIOHR_EXPIRY_NOTICE_HOURS + 1))
    assert candidate_notices_send().expiry_notices == 0
    assert mail.outbox == []


def test_a_reopened_invitation_that_expires_again_gets_a_second_notice(sent_interview):
    interview = expire(sent_interview())
    assert candidate_notices_send().expiry_notices == 1
    # What a reopen leaves behind: sent again with a new deadline, which then passes too.
    Interview.objects.filter(pk=interview.pk).update(status=S.SENT)
    expire(interview)
    assert candidate_notices_send().expiry_notices == 1
    assert CandidateNotice.objects.filter(interview=interview, kind="expiry").count() == 2
    assert len(mail.outbox) == 2


# --- the policy ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "days, cleaned",
    [([3], [3]), ([1, 7], [7, 1]), ([], [])],
)
def test_reminder_days_accepts_up_to_two_distinct_days(days, cleaned):
    assert reminder_days_clean(days) == cleaned


@pytest.mark.parametrize("days", [[1, 2, 3], [0], [31], [2, 2], ["3"], [True], 3, None])
def test_reminder_days_refuses_bad_values(days):
    with pytest.raises(ValidationError):
        reminder_days_clean(days)


def policy_post(org, **policy):
    prefix = "candidate_policy-"
    data = {
        "name": org.name,
        "slug": org.slug,
        "is_active": "on",
        f"{prefix}TOTAL_FORMS": "1",
        f"{prefix}INITIAL_FORMS": "0",
        f"{prefix}MIN_NUM_FORMS": "0",
        f"{prefix}MAX_NUM_FORMS": "1",
        f"{prefix}0-reminders_enabled": "on",
        f"{prefix}0-reminder_days_before": "3",
        f"{prefix}0-recording_retention_days": "90",
        f"{prefix}0-personal_data_retention_days": "365",
    }
    data.update({f"{prefix}0-{name}": value for name, value in policy.items()})
    return data


def test_who_may_change_the_policy_sets_it_on_the_organization_page(people, org):
    url = reverse("admin:assessments_organization_change", args=[org.pk])
    body = policy_post(org, reminder_days_before="1, 7", contact_name="Jo", contact_email="j@a.io")
    response = logged_in(people["changer"]).post(url, body)
    assert response.status_code == 302, response.content
    policy = CandidatePolicy.objects.get(organization=org)
    assert policy.reminder_days_before == [7, 1]
    assert (policy.contact_name, policy.contact_email) == ("Jo", "j@a.io")
    page = logged_in(people["changer"]).get(url)
    assert 'value="7, 1"' in page.content.decode()


@pytest.mark.parametrize(
    "field, value, problem",
    [
        ("reminder_days_before", "1, 2, 3", "At most 2 reminders."),
        ("reminder_days_before", "tomorrow", "Enter whole numbers of days"),
        ("contact_name", "Jo\x00", "Null characters are not allowed."),
    ],
)
def test_a_bad_policy_is_refused_with_the_field_and_the_problem(people, org, field, value, problem):
    url = reverse("admin:assessments_organization_change", args=[org.pk])
    response = logged_in(people["changer"]).post(url, policy_post(org, **{field: value}))
    assert response.status_code == 200
    assert problem in response.content.decode()
    assert not CandidatePolicy.objects.exists()


def test_view_only_staff_see_the_policy_and_cannot_change_it(people, org):
    CandidatePolicy.objects.create(organization=org, contact_name="Jo")
    url = reverse("admin:assessments_organization_change", args=[org.pk])
    page = logged_in(people["viewer"]).get(url)
    assert page.status_code == 200 and "Jo" in page.content.decode()
    assert 'name="candidate_policy-0-contact_name"' not in page.content.decode()
    response = logged_in(people["viewer"]).post(url, policy_post(org, contact_name="Mallory"))
    assert response.status_code == 403
    assert CandidatePolicy.objects.get(organization=org).contact_name == "Jo"


def test_the_interview_page_lists_the_notices_sent(people, sent_interview):
    interview = due(sent_interview())
    candidate_notices_send()
    url = reverse("admin:assessments_interview_change", args=[interview.pk])
    page = logged_in(people["viewer"]).get(url).content.decode()
    assert "Reminders and expiry notice" in page
    assert "reminder_sent" in page  # the transcript
    assert Client().get(url).status_code == 302  # not staff: the login page


# --- the query plan ---------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_the_notice_sweep_reads_interviews_through_the_status_deadline_index(big_history, org):
    CandidatePolicy.objects.create(organization=org, reminder_days_before=[7, 1])
    for interview in big_history[:3]:
        due(interview, days=7)
        Interview.objects.filter(pk=interview.pk).update(status=S.SENT)
    Interview.objects.filter(pk__in=[i.pk for i in big_history[3:6]]).update(
        status=S.EXPIRED, started_at=None, expires_at=timezone.now() - timedelta(hours=1)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE assessments_interview")
    with CaptureQueriesContext(connection) as captured:
        sent = candidate_notices_send()
    assert (sent.reminders, sent.expiry_notices) == (3, 3)
    sweeps = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith("SELECT")
        and '"assessments_interview"."expires_at" >' in query["sql"]
    ]
    assert len(sweeps) == 4  # the 1-, 3- (default) and 7-day slots, the expiry notices
    index = index_named(Interview, "status", "expires_at")
    for sql in sweeps:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert index in [match[3] for match in SCAN.findall(plan)], plan
        assert "Seq Scan on assessments_interview" not in plan, plan


def test_beat_runs_the_notice_sweep(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["send-candidate-notices"]
    assert entry["task"] == send_candidate_notices.name
    assert entry["task"] in app.tasks


@pytest.mark.parametrize(
    "env", [{"MARIOHR_REMINDER_BATCH": "0"}, {"EMAIL_TIMEOUT": "900"}], ids=["batch", "timeout"]
)
def test_settings_refuse_a_sweep_that_could_not_work(tmp_path, env):
    environment = {**os.environ, "MARIOHR_VAR_DIR": str(tmp_path), **env}
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=Path(__file__).resolve().parent.parent,
        env={**environment, "DJANGO_SETTINGS_MODULE": "mariohr.settings"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert next(iter(env)) in result.stderr
