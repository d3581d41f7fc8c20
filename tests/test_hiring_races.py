"""The hiring team's changes (retake, reopen, extend, extra time, accommodations) racing each
other, the candidate and the sweepers: real threads, each on its own database connection,
released together (``run_together``), many rounds.

PostgreSQL (CI) lets the transactions truly overlap; SQLite serializes writers, so there the
same tests check that the serialized orders give the same answers.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.utils import timezone

from assessments import accommodations, reminders
from assessments import interview_changes as changes
from assessments import services as lifecycle
from assessments.candidate_services import (
    answers_save,
    interview_expire_if_overdue,
    interviews_expire_overdue,
)
from assessments.hiring_models import CandidateNotice
from assessments.models import Answer, Interview, InterviewAttempt
from assessments.selectors import grace
from integrations.delivery.models import Delivery
from mariohr.formats import iso
from tests import delivery_helpers as helpers
from tests.candidate_factories import ada_interview_send
from tests.delivery_helpers import receiver_url
from tests.test_concurrency import run_together

tls_ca, ca_file, receiver = helpers.tls_ca, helpers.ca_file, helpers.receiver
outbound_org, make_interview = helpers.outbound_org, helpers.make_interview

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 20
S = Interview.Status
CHANGELIST = "/admin/assessments/interview/"


@pytest.fixture(autouse=True)
def middleware_loaded(db):
    # django-prometheus builds its metrics on a test client's first request, unguarded: two
    # first requests at once would register them twice. One request first, alone.
    Client().get("/t/no-such-link-xxxxxxxxxxxxxxxxxxxx/clock")


def outcome(call):
    """``call()``'s result, or the ChangeRefused/AccommodationRefused it raised."""
    try:
        return call()
    except (changes.ChangeRefused, accommodations.AccommodationRefused) as refusal:
        return refusal


def kinds(interview: Interview) -> list[str]:
    return list(interview.events.order_by("id").values_list("kind", flat=True))


def overdue_by(interview: Interview, delta: timedelta) -> None:
    Interview.objects.filter(pk=interview.pk).update(expires_at=timezone.now() - delta)


# --- retake: a double click, or two account managers --------------------------------------


def manager(username: str) -> Client:
    user = get_user_model().objects.create_user(username, f"{username}@example.com", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_interview", "change_interview"])
    )
    client = Client()
    client.force_login(user)
    return client


def test_two_managers_retaking_one_interview_at_once_start_one_retake(
    receiver, make_interview, celery_eager
):
    receiver.expect_request("/callback", method="PATCH").respond_with_json({})
    managers = [manager("hm1"), manager("hm2")]
    for round_number in range(ROUNDS):
        interview = make_interview(receiver_url(receiver), status="submitted")
        interview = lifecycle.interview_score(interview=interview, score=Decimal("40"))
        old_token = interview.candidate_token
        deliveries, patches, outbox = (
            Delivery.objects.filter(interview=interview).count(),
            len(receiver.log),
            len(mail.outbox),
        )
        form = {
            "action": "retake_interviews",
            admin.helpers.ACTION_CHECKBOX_NAME: [interview.pk],
            "confirm": "yes",
            "reason": f"Bad wifi {round_number}",
            "days": "7",
        }

        pages = run_together(
            *[lambda c=client: c.post(CHANGELIST, form, follow=True) for client in managers]  # noqa: B023
        )

        texts = sorted(page.content.decode() for page in pages)
        assert sum("done for 1 interview" in text for text in texts) == 1, round_number
        assert sum("only a submitted, scored or expired test" in text for text in texts) == 1
        interview.refresh_from_db()
        assert (interview.status, interview.attempt_number) == (S.SENT, 2)
        assert interview.candidate_token != old_token
        attempt = InterviewAttempt.objects.get(interview=interview)
        assert (attempt.number, attempt.status, attempt.score) == (1, S.COMPLETE, Decimal("40"))
        assert kinds(interview).count("retake_started") == 1
        assert LogEntry.objects.filter(object_id=str(interview.pk)).count() == 1
        # One invitation, with the new link; one "sent" to the ATS.
        [invitation] = mail.outbox[outbox:]
        assert f"/t/{interview.candidate_token}" in invitation.body
        assert Delivery.objects.filter(interview=interview).count() == deliveries + 1
        assert [helpers.body_of(request)["partner_status"] for request, _ in receiver.log][
            patches:
        ] == ["sent"]


# --- the sweeper and a late page load against a moved deadline ----------------------------


def extended_by_three_days(interview):
    return outcome(
        lambda: changes.interview_invitation_extend(
            interview=interview, by=None, reason="Travelling", days=3
        )
    )


def test_extend_racing_the_expiry_sweeper_never_expires_the_extended_invitation(
    sent_interview_factory,
):
    for round_number in range(ROUNDS):
        interview = sent_interview_factory()
        overdue_by(interview, timedelta(seconds=1))

        _, extended = run_together(
            interviews_expire_overdue,
            lambda: extended_by_three_days(interview),  # noqa: B023
        )

        interview.refresh_from_db()
        if isinstance(extended, Interview):
            # The extension committed first: it stands, and the sweeper left it alone.
            assert interview.status == S.SENT, (round_number, kinds(interview))
            assert interview.expires_at == extended.expires_at > timezone.now()
            assert kinds(interview)[-1] == "deadline_extended"
        else:
            # The sweeper expired it first; the extension was refused, nothing moved.
            assert "is expired" in str(extended)
            assert interview.status == S.EXPIRED
            assert "deadline_extended" not in kinds(interview)


def test_extend_racing_a_page_load_after_the_deadline_keeps_the_extension(
    sent_interview_factory,
):
    for round_number in range(ROUNDS):
        interview = sent_interview_factory()
        overdue_by(interview, timedelta(seconds=1))
        page = f"/t/{interview.candidate_token}"

        response, extended = run_together(
            lambda: Client().get(page),  # noqa: B023
            lambda: extended_by_three_days(interview),  # noqa: B023
        )

        interview.refresh_from_db()
        if isinstance(extended, Interview):
            assert interview.status == S.SENT, (round_number, kinds(interview))
            assert interview.expires_at == extended.expires_at
            assert "expired" not in kinds(interview)
            # The page was either the expired notice read before the extension, or the intro.
            assert response.status_code in (200, 410)
        else:
            assert interview.status == S.EXPIRED
            assert response.status_code == 410


def test_reopen_racing_the_expiry_sweeper_stays_reopened(sent_interview_factory):
    # Older overdue invitations keep the sweep busy: it has read this one as overdue and
    # comes to it while the candidate and the manager act.
    ahead = [sent_interview_factory().pk for _ in range(30)]
    for round_number in range(ROUNDS):
        Interview.objects.filter(pk__in=ahead).update(
            status=S.SENT, expires_at=timezone.now() - timedelta(hours=1)
        )
        interview = sent_interview_factory()
        overdue_by(interview, timedelta(seconds=1))

        def candidate_then_manager():
            # The candidate's late page load expires it; the manager reopens it at once.
            interview_expire_if_overdue(interview=Interview.objects.get(pk=interview.pk))  # noqa: B023
            return changes.interview_reopen(
                interview=interview,  # noqa: B023
                by=None,
                reason="Ill",
                days=3,
            )

        expired_count, reopened = run_together(interviews_expire_overdue, candidate_then_manager)

        interview.refresh_from_db()
        assert interview.status == S.SENT, (round_number, expired_count, kinds(interview))
        assert interview.expires_at == reopened.expires_at
        assert kinds(interview)[-2:] == ["expired", "reopened"]


def test_reopen_racing_the_candidates_late_submit_takes_only_the_reopen(sent_interview_factory):
    for round_number in range(ROUNDS):
        interview = lifecycle.interview_start(interview=sent_interview_factory())
        answers_save(interview=interview, answers={"notes": "saved in time"})
        overdue_by(interview, grace() + timedelta(seconds=5))
        interview = lifecycle.interview_expire(interview=interview, reason="time_limit")
        submit = f"/t/{interview.candidate_token}/submit"

        response, reopened = run_together(
            lambda: Client().post(submit, {"notes": "too late"}),  # noqa: B023
            lambda: changes.interview_reopen(
                interview=interview,  # noqa: B023
                by=None,
                reason="Power cut",
                days=2,
            ),
        )

        # Expired: the submit is refused. Reopened first: it is sent, the submit goes to
        # the intro page. Either way the late answers are not taken.
        assert response.status_code in (302, 410), round_number
        interview.refresh_from_db()
        assert (interview.status, interview.submitted_at) == (S.SENT, None)
        assert interview.expires_at == reopened.expires_at
        assert "submitted" not in kinds(interview)
        assert Answer.objects.get(interview=interview, key="notes").value == "saved in time"


# --- the candidate's start against a moved deadline or extra time --------------------------


def test_extend_racing_the_candidates_start_gives_the_time_limit_from_the_start(
    sent_interview_factory,
):
    for round_number in range(ROUNDS):
        interview = sent_interview_factory()
        start = f"/t/{interview.candidate_token}/start"

        response, extended = run_together(
            lambda: Client().post(start),  # noqa: B023
            lambda: extended_by_three_days(interview),  # noqa: B023
        )

        assert response.status_code == 302, round_number
        interview.refresh_from_db()
        assert interview.status == S.IN_PROGRESS
        limit = timedelta(minutes=interview.time_limit_minutes)
        assert interview.expires_at == interview.started_at + limit
        events = kinds(interview)
        assert events.count("started") == 1
        if isinstance(extended, Interview):
            assert events.index("deadline_extended") < events.index("started")
        else:
            assert "in progress: only a test not started" in str(extended)
            assert "deadline_extended" not in events


def test_extra_time_set_as_the_candidate_starts_is_in_the_deadline(sent_interview_factory):
    for round_number in range(ROUNDS):
        interview = sent_interview_factory()
        start = f"/t/{interview.candidate_token}/start"

        response, accommodated = run_together(
            lambda: Client().post(start),  # noqa: B023
            lambda: outcome(  # noqa: B023
                lambda: accommodations.accommodation_set(
                    interview=interview,  # noqa: B023
                    percent=50,
                    minutes=0,
                )
            ),
        )

        assert response.status_code == 302 and isinstance(accommodated, Interview)
        interview.refresh_from_db()
        assert (interview.status, interview.extra_time_percent) == (S.IN_PROGRESS, 50)
        # Set before or after the start, the candidate's deadline has the extra time.
        limit = timedelta(minutes=interview.time_limit_minutes)
        assert interview.expires_at == interview.started_at + limit, round_number


# --- the time-up auto-submit and the clock against extra time -------------------------------


def test_add_time_racing_the_time_up_auto_submit_never_loses_the_answers(sent_interview_factory):
    for round_number in range(ROUNDS):
        interview = lifecycle.interview_start(interview=sent_interview_factory())
        # The time limit just passed: the page auto-submits, inside the grace.
        overdue_by(interview, timedelta(seconds=2))
        submit = f"/t/{interview.candidate_token}/submit"
        answer = f"final {round_number}"

        response, added = run_together(
            lambda: Client().post(submit, {"notes": answer, "automatic": "1"}),  # noqa: B023
            lambda: outcome(  # noqa: B023
                lambda: changes.interview_time_add(
                    interview=interview,  # noqa: B023
                    by=None,
                    reason="Power cut",
                    minutes=10,
                )
            ),
        )

        assert response.status_code == 302, round_number
        interview.refresh_from_db()
        assert interview.status == S.SUBMITTED
        assert Answer.objects.get(interview=interview, key="notes").value == answer
        events = kinds(interview)
        assert "expired" not in events and events.count("submitted") == 1
        if isinstance(added, Interview):
            assert events.index("time_added") < events.index("submitted")
            assert interview.expires_at == added.expires_at
        else:
            assert "extra minutes are only for a test in progress" in str(added)


def test_submit_past_the_grace_racing_add_time_is_judged_by_one_deadline(sent_interview_factory):
    for round_number in range(ROUNDS):
        interview = lifecycle.interview_start(interview=sent_interview_factory())
        answers_save(interview=interview, answers={"notes": "autosaved"})
        overdue_by(interview, grace() + timedelta(seconds=2))
        submit = f"/t/{interview.candidate_token}/submit"

        response, added = run_together(
            lambda: Client().post(submit, {"notes": "after the grace"}),  # noqa: B023
            lambda: outcome(  # noqa: B023
                lambda: changes.interview_time_add(
                    interview=interview,  # noqa: B023
                    by=None,
                    reason="late",
                    minutes=10,
                )
            ),
        )

        # The time was up before either came: no minutes added, the submit not taken,
        # what was saved in time kept.
        assert isinstance(added, changes.ChangeRefused), round_number
        assert response.status_code == 410
        interview.refresh_from_db()
        assert (interview.status, interview.submitted_at) == (S.EXPIRED, None)
        assert Answer.objects.get(interview=interview, key="notes").value == "autosaved"


def test_extra_time_during_the_test_racing_autosave_and_clock_shows_the_stored_deadline(
    sent_interview_factory,
):
    for round_number in range(ROUNDS):
        interview = lifecycle.interview_start(interview=sent_interview_factory())
        before = iso(interview.expires_at)
        token = interview.candidate_token

        accommodated, saved, clock = run_together(
            lambda: accommodations.accommodation_set(
                interview=interview,  # noqa: B023
                percent=25,
                minutes=10,
            ),
            lambda: Client().post(
                f"/t/{token}/answers",  # noqa: B023
                {"answers": {"notes": f"draft {round_number}"}},  # noqa: B023
                "application/json",
            ),
            lambda: Client().get(f"/t/{token}/clock"),  # noqa: B023
        )

        interview.refresh_from_db()
        stored = iso(interview.expires_at)
        assert stored == iso(accommodated.expires_at) != before
        assert saved.status_code == 200 and clock.status_code == 200
        # Each answer carries the deadline of the moment it was read: the old or the new.
        assert saved.json()["deadline"] in (before, stored)
        assert clock.json()["deadline"] in (before, stored)
        assert Answer.objects.get(interview=interview, key="notes").value == (
            f"draft {round_number}"
        )
        # The next poll shows the stored one.
        assert Client().get(f"/t/{token}/clock").json()["deadline"] == stored


# --- a reminder sweep against the candidate's start ----------------------------------------


def test_reminder_sweep_racing_the_start_sends_nothing_once_the_start_is_seen(
    sent_interview_factory,
):
    for round_number in range(ROUNDS):
        interview = sent_interview_factory()
        ten_days_ago = timezone.now() - timedelta(days=10)
        Interview.objects.filter(pk=interview.pk).update(
            sent_at=ten_days_ago,
            status_changed_at=ten_days_ago,
            expires_at=timezone.now() + timedelta(days=3, hours=-1),
        )
        outbox = len(mail.outbox)

        sent, response = run_together(
            reminders.candidate_notices_send,
            lambda: Client().post(f"/t/{interview.candidate_token}/start"),  # noqa: B023
        )

        assert response.status_code == 302, round_number
        interview.refresh_from_db()
        assert interview.status == S.IN_PROGRESS
        notices = CandidateNotice.objects.filter(interview=interview)
        if sent.reminders:
            # The sweep checked before the start committed: one email, recorded once.
            [reminder] = mail.outbox[outbox:]
            assert f"/t/{interview.candidate_token}" in reminder.body
            assert notices.get().sent_at is not None
            assert kinds(interview).count("reminder_sent") == 1
        else:
            # The sweep saw the start: no email, and the claim was given back.
            assert len(mail.outbox) == outbox
            assert not notices.exists()
            assert "reminder_sent" not in kinds(interview)


@pytest.fixture
def sent_interview_factory(org, catalog):
    counter = iter(range(1_000_000))

    def make() -> Interview:
        return ada_interview_send(
            org,
            catalog["py-fastapi-review"],
            callback_url=f"https://ats.example.com/take_home_tests/race-{next(counter)}",
        )

    return make
