# ruff: noqa: F811 - fixtures imported from tests.candidate_factories
"""Extend, extra time, reopen and retake: the services, the admin pages, the commands and the
candidate page's clock."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from assessments import interview_changes as changes
from assessments import services as lifecycle
from assessments.candidate_services import answers_save
from assessments.models import Interview, InterviewAttempt
from mariohr.formats import iso
from tests.candidate_factories import page_url, sent_interview  # noqa: F401

S = Interview.Status
CHANGELIST = "/admin/assessments/interview/"


@pytest.fixture
def staff(db):
    user = get_user_model().objects.create_user("hm", "hm@example.com", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_interview", "change_interview"])
    )
    return user


def started(make):
    return lifecycle.interview_start(interview=make())


def expired(make):
    return lifecycle.interview_expire(interview=make(), reason="invitation")


def scored(make, points="80"):
    interview = lifecycle.interview_submit(interview=started(make))
    return lifecycle.interview_score(interview=interview, score=Decimal(points))


# --- extend ---------------------------------------------------------------------------------


def test_extend_moves_the_invitation_deadline_and_records_who_and_why(sent_interview, staff):
    interview = sent_interview()
    before = interview.expires_at

    extended = changes.interview_invitation_extend(
        interview=interview, by=staff, reason="Candidate travelling", days=20
    )

    # Days are added to the current deadline.
    assert extended.expires_at == before + timedelta(days=20)
    interview.refresh_from_db()
    assert interview.expires_at == extended.expires_at
    event = interview.events.get(kind="deadline_extended")
    assert event.data["by"] == staff.pk and event.data["by_username"] == "hm"
    assert event.data["reason"] == "Candidate travelling"
    assert event.data["old_deadline"] != event.data["new_deadline"]


@pytest.mark.parametrize(
    ("reason", "problem"),
    [
        ("", "reason is required"),
        ("   ", "reason is required"),
        ("x" * 1001, "too long"),
        ("a\x00b", "NUL"),
        (None, "reason is required"),
    ],
)
def test_extend_refuses_a_missing_or_unstorable_reason(sent_interview, reason, problem):
    interview = sent_interview()
    with pytest.raises(changes.ChangeRefused, match=problem):
        changes.interview_invitation_extend(interview=interview, by=None, reason=reason, days=3)
    assert not interview.events.filter(kind="deadline_extended").exists()


@pytest.mark.parametrize("days", [0, -1, 91, True, "3"])
def test_extend_refuses_days_out_of_bounds(sent_interview, days):
    with pytest.raises(changes.ChangeRefused, match="days"):
        changes.interview_invitation_extend(
            interview=sent_interview(), by=None, reason="r", days=days
        )


def test_extend_refuses_a_deadline_not_later_than_the_current_one(sent_interview):
    interview = sent_interview()
    with pytest.raises(changes.ChangeRefused, match="later than the current one"):
        changes.interview_invitation_extend(
            interview=interview,
            by=None,
            reason="r",
            new_deadline=timezone.now() + timedelta(hours=1),
        )
    with pytest.raises(changes.ChangeRefused, match="in the future"):
        changes.interview_invitation_extend(
            interview=interview,
            by=None,
            reason="r",
            new_deadline=timezone.now() - timedelta(hours=1),
        )


def test_extend_refuses_a_started_test(sent_interview):
    interview = started(sent_interview)
    with pytest.raises(changes.ChangeRefused, match="in progress: only a test not started"):
        changes.interview_invitation_extend(interview=interview, by=None, reason="r", days=3)


# --- extra time -----------------------------------------------------------------------------


def test_add_time_moves_the_deadline_of_a_test_in_progress(sent_interview, staff):
    interview = started(sent_interview)
    before = interview.expires_at

    changed = changes.interview_time_add(interview=interview, by=staff, reason="Outage", minutes=25)

    assert changed.expires_at == before + timedelta(minutes=25)
    event = interview.events.get(kind="time_added")
    assert (event.data["minutes"], event.data["reason"], event.data["by"]) == (
        25,
        "Outage",
        staff.pk,
    )


@pytest.mark.parametrize("minutes", [0, 1441, 2.5, None])
def test_add_time_refuses_minutes_out_of_bounds(sent_interview, minutes):
    with pytest.raises(changes.ChangeRefused, match="minutes must be"):
        changes.interview_time_add(
            interview=started(sent_interview), by=None, reason="r", minutes=minutes
        )


def test_add_time_refuses_a_test_not_in_progress_or_already_out_of_time(sent_interview):
    with pytest.raises(changes.ChangeRefused, match="only for a test in progress"):
        changes.interview_time_add(interview=sent_interview(), by=None, reason="r", minutes=5)
    interview = started(sent_interview)
    Interview.objects.filter(pk=interview.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(changes.ChangeRefused, match="time is already up"):
        changes.interview_time_add(interview=interview, by=None, reason="r", minutes=5)


def test_add_time_within_the_submit_grace_lets_the_open_page_carry_on(sent_interview, settings):
    """The deadline passed 50 s ago, within the grace: the page has not submitted yet (its
    time-up check asks the server's clock first), so extra minutes still count from the old
    deadline; after the grace they are refused."""
    interview = started(sent_interview)
    deadline = timezone.now() - timedelta(seconds=settings.MARIOHR_SUBMIT_GRACE_SECONDS - 10)
    Interview.objects.filter(pk=interview.pk).update(expires_at=deadline)
    extended = changes.interview_time_add(interview=interview, by=None, reason="r", minutes=2)
    assert extended.expires_at == deadline + timedelta(minutes=2)
    late = timezone.now() - timedelta(seconds=settings.MARIOHR_SUBMIT_GRACE_SECONDS + 10)
    Interview.objects.filter(pk=interview.pk).update(expires_at=late)
    with pytest.raises(changes.ChangeRefused, match="time is already up"):
        changes.interview_time_add(interview=interview, by=None, reason="r", minutes=2)


# --- reopen ---------------------------------------------------------------------------------


def test_reopen_puts_an_expired_test_back_to_sent_with_the_same_link(
    sent_interview, staff, django_capture_on_commit_callbacks, celery_eager
):
    interview = expired(sent_interview)
    token = interview.candidate_token

    with django_capture_on_commit_callbacks(execute=True):
        reopened = changes.interview_reopen(interview=interview, by=staff, reason="Sick", days=5)

    assert reopened.status == S.SENT and reopened.pk == interview.pk
    assert reopened.candidate_token == token
    assert reopened.expires_at > timezone.now() + timedelta(days=4)
    event = reopened.events.get(kind="reopened")
    assert (event.data["reason"], event.data["by"]) == ("Sick", staff.pk)
    (message,) = mail.outbox
    assert f"/t/{token}" in message.body
    assert Client().get(page_url(reopened)).status_code == 200


def test_reopen_refuses_a_test_that_was_submitted_or_is_not_expired(sent_interview):
    with pytest.raises(changes.ChangeRefused, match="only an expired test"):
        changes.interview_reopen(interview=sent_interview(), by=None, reason="r", days=3)
    interview = lifecycle.interview_submit(interview=started(sent_interview))
    with pytest.raises(changes.ChangeRefused, match="only an expired test"):
        changes.interview_reopen(interview=interview, by=None, reason="r", days=3)


def test_reopen_after_the_time_limit_gives_the_full_time_again(sent_interview):
    interview = started(sent_interview)
    interview = lifecycle.interview_expire(interview=interview, reason="time_limit")

    reopened = changes.interview_reopen(interview=interview, by=None, reason="crash", days=2)

    assert reopened.started_at is None
    restarted = lifecycle.interview_start(interview=reopened)
    assert restarted.expires_at - restarted.started_at == timedelta(
        minutes=restarted.time_limit_minutes
    )


# --- retake ---------------------------------------------------------------------------------


def test_retake_archives_the_attempt_and_replaces_the_link(
    sent_interview, staff, django_capture_on_commit_callbacks, celery_eager
):
    interview = started(sent_interview)
    answers_save(interview=interview, answers={"notes": "first try"})
    interview = lifecycle.interview_submit(interview=interview)
    interview = lifecycle.interview_score(interview=interview, score=Decimal("40"))
    old_token = interview.candidate_token

    with django_capture_on_commit_callbacks(execute=True):
        retaken = changes.interview_retake(interview=interview, by=staff, reason="Bad wifi", days=7)

    assert (retaken.status, retaken.attempt_number) == (S.SENT, 2)
    assert retaken.candidate_token != old_token
    assert (retaken.score, retaken.started_at, retaken.submitted_at) == (None, None, None)
    assert not retaken.answers.exists() and not retaken.score_lines.exists()
    attempt = InterviewAttempt.objects.get(interview=retaken)
    assert (attempt.number, attempt.status, attempt.score) == (1, S.COMPLETE, Decimal("40"))
    assert attempt.archived_by == staff and attempt.reason == "Bad wifi"
    assert [a["answer"] for a in attempt.snapshot["answers"]] == ["first try"]
    event = retaken.events.get(kind="retake_started")
    assert (event.data["attempt"], event.data["by"]) == (2, staff.pk)
    # The old link's page says it was replaced, and shows nothing of the interview; the
    # JSON calls an open tab makes say so too (410: stop retrying, reload); any other request
    # with it is refused like an unknown link. The new one opens the intro.
    candidate = Client()
    replaced = candidate.get(f"/t/{old_token}")
    assert replaced.status_code == 410
    assert "This link was replaced" in replaced.content.decode()
    assert interview.test.name not in replaced.content.decode()
    assert retaken.candidate_token not in replaced.content.decode()
    for answer in (
        candidate.post(f"/t/{old_token}/answers", "{}", "application/json"),
        candidate.post(f"/t/{old_token}/signals", "{}", "application/json"),
        candidate.get(f"/t/{old_token}/clock"),
    ):
        assert answer.status_code == 410
        assert answer.json()["error"] == "link_replaced"
        assert retaken.candidate_token not in answer.content.decode()
    unknown = candidate.post(
        "/t/never-issued-token-xxxxxxxxxxxxxx/answers", "{}", "application/json"
    )
    assert unknown.status_code == 404 and unknown.json()["error"] == "not_found"
    assert candidate.post(f"/t/{old_token}/start").status_code == 404
    assert candidate.get("/t/never-issued-token-xxxxxxxxxxxxxx").status_code == 404
    assert candidate.get("/t/bad%00token").status_code == 404
    assert candidate.get(page_url(retaken)).status_code == 200
    (message,) = mail.outbox
    assert f"/t/{retaken.candidate_token}" in message.body and old_token not in message.body


@pytest.mark.parametrize("status", [S.SENT, S.IN_PROGRESS, S.CANCELLED])
def test_retake_refuses_a_live_or_cancelled_test(sent_interview, status):
    interview = sent_interview()
    if status == S.IN_PROGRESS:
        interview = lifecycle.interview_start(interview=interview)
    elif status == S.CANCELLED:
        interview = lifecycle.interview_cancel(interview=interview)
    with pytest.raises(changes.ChangeRefused, match="only a submitted, scored or expired"):
        changes.interview_retake(interview=interview, by=None, reason="r", days=3)
    assert not InterviewAttempt.objects.exists()


def test_the_report_keeps_both_attempts_and_marks_the_current_one(sent_interview):
    interview = scored(sent_interview, "40")
    interview = changes.interview_retake(interview=interview, by=None, reason="r", days=3)
    interview = lifecycle.interview_submit(interview=lifecycle.interview_start(interview=interview))
    interview = lifecycle.interview_score(interview=interview, score=Decimal("90"))

    body = Client().get(f"/reports/{interview.report_token}", HTTP_ACCEPT="application/json").json()
    page = Client().get(f"/reports/{interview.report_token}").content.decode()

    assert (body["attempt_number"], body["score"]) == (2, 90)
    (earlier,) = body["attempts"]
    assert (earlier["number"], earlier["score"], earlier["counts"]) == (1, 40, False)
    assert "2: this attempt counts" in page
    assert "Attempt 1: complete, 40 / 100 (does not count)" in page
    assert "Retake: a new attempt with a new link" in page


def test_a_second_retake_numbers_the_attempts(sent_interview):
    interview = expired(sent_interview)
    interview = changes.interview_retake(interview=interview, by=None, reason="one", days=3)
    interview = lifecycle.interview_expire(interview=interview)
    interview = changes.interview_retake(interview=interview, by=None, reason="two", days=3)
    assert interview.attempt_number == 3
    assert list(interview.attempts.values_list("number", "status")) == [
        (1, S.EXPIRED),
        (2, S.EXPIRED),
    ]


# --- the admin ------------------------------------------------------------------------------


def post_action(client, action, interview, **form):
    data = {"action": action, admin.helpers.ACTION_CHECKBOX_NAME: [interview.pk], **form}
    return client.post(CHANGELIST, data, follow=True)


def test_admin_action_asks_for_the_reason_first(sent_interview, staff):
    interview = sent_interview()
    client = Client()
    client.force_login(staff)

    page = post_action(client, "extend_invitations", interview)

    assert page.status_code == 200 and not page.redirect_chain
    content = page.content.decode()
    assert 'name="reason"' in content and 'name="days"' in content
    assert 'name="confirm"' in content
    assert not interview.events.filter(kind="deadline_extended").exists()


@pytest.mark.parametrize("reason", ["", "a\x00b"])
def test_admin_action_without_a_usable_reason_shows_the_form_again(sent_interview, staff, reason):
    interview = sent_interview()
    client = Client()
    client.force_login(staff)

    page = post_action(
        client, "extend_invitations", interview, confirm="yes", reason=reason, days="3"
    )

    assert page.status_code == 200 and not page.redirect_chain
    assert "errorlist" in page.content.decode()
    assert not interview.events.filter(kind="deadline_extended").exists()


def test_admin_action_in_the_wrong_state_says_why(sent_interview, staff):
    interview = sent_interview()
    client = Client()
    client.force_login(staff)

    page = post_action(client, "reopen_interviews", interview, confirm="yes", reason="r", days="3")

    assert page.status_code == 200 and page.redirect_chain
    assert "only an expired test that was never submitted can reopen" in page.content.decode()
    interview.refresh_from_db()
    assert interview.status == S.SENT
    assert not LogEntry.objects.filter(object_id=str(interview.pk)).exists()


def test_admin_add_time_logs_the_reason_in_the_history(sent_interview, staff):
    interview = started(sent_interview)
    before = interview.expires_at
    client = Client()
    client.force_login(staff)

    page = post_action(
        client, "add_time", interview, confirm="yes", reason="Power cut", minutes="10"
    )

    assert page.redirect_chain and "done for 1 interview" in page.content.decode()
    interview.refresh_from_db()
    assert interview.expires_at == before + timedelta(minutes=10)
    entry = LogEntry.objects.get(object_id=str(interview.pk), user=staff)
    assert entry.change_message == "Added 10 minute(s) to the test: Power cut"


def test_admin_bad_amount_is_a_form_error_not_a_500(sent_interview, staff):
    interview = started(sent_interview)
    client = Client()
    client.force_login(staff)
    for minutes in ("abc", "0", "99999", "1\x00"):
        page = post_action(
            client, "add_time", interview, confirm="yes", reason="r", minutes=minutes
        )
        assert page.status_code == 200 and not page.redirect_chain
    assert not interview.events.filter(kind="time_added").exists()


# --- the commands ---------------------------------------------------------------------------


def test_extend_command_extends_or_adds_minutes(sent_interview, staff, capsys):
    interview = sent_interview()
    call_command(
        "interview_extend",
        interview.partner_interview_id,
        "--days",
        "9",
        "--reason",
        "r",
        "--by",
        "hm",
    )
    assert "New deadline" in capsys.readouterr().out
    assert interview.events.get(kind="deadline_extended").data["by"] == staff.pk
    running = started(sent_interview)
    call_command(
        "interview_extend", running.partner_interview_id, "--minutes", "5", "--reason", "r"
    )
    assert running.events.get(kind="time_added").data["by"] is None


def test_commands_refuse_clearly(sent_interview):
    interview = sent_interview()
    pid = interview.partner_interview_id
    with pytest.raises(CommandError, match="Give --days"):
        call_command("interview_extend", pid, "--reason", "r")
    with pytest.raises(CommandError, match="No interview"):
        call_command("interview_extend", "nope", "--days", "3", "--reason", "r")
    with pytest.raises(CommandError, match="No user"):
        call_command("interview_extend", pid, "--days", "3", "--reason", "r", "--by", "ghost")
    with pytest.raises(CommandError, match="only an expired test"):
        call_command("interview_reopen", pid, "--reason", "r")
    with pytest.raises(CommandError, match="only a submitted, scored or expired"):
        call_command("interview_retake", pid, "--reason", "r")
    with pytest.raises(CommandError, match="reason is required"):
        call_command("interview_extend", pid, "--days", "3", "--reason", " ")


def test_reopen_and_retake_commands(sent_interview, capsys):
    interview = expired(sent_interview)
    call_command("interview_reopen", interview.partner_interview_id, "--reason", "r", "--days", "2")
    interview.refresh_from_db()
    assert interview.status == S.SENT
    interview = lifecycle.interview_expire(interview=interview)
    call_command("interview_retake", interview.partner_interview_id, "--reason", "r")
    assert "Attempt 2 sent" in capsys.readouterr().out


# --- the candidate page's clock -------------------------------------------------------------


def test_clock_and_autosave_carry_the_current_deadline(sent_interview):
    interview = started(sent_interview)
    changed = changes.interview_time_add(interview=interview, by=None, reason="r", minutes=30)
    candidate = Client()

    clock = candidate.get(page_url(interview, "/clock"))
    saved = candidate.post(
        page_url(interview, "/answers"), {"answers": {"notes": "x"}}, "application/json"
    )

    assert clock.status_code == 200 and clock["Cache-Control"] == "no-store"
    assert clock.json()["deadline"] == iso(changed.expires_at)
    assert clock.json()["status"] == S.IN_PROGRESS
    assert saved.status_code == 200 and saved.json()["deadline"] == clock.json()["deadline"]


def test_clock_of_an_unknown_link_is_a_404(db):
    response = Client().get("/t/not-a-real-token-at-all-xxxxxxxx/clock")
    assert response.status_code == 404 and response.json()["error"] == "not_found"
