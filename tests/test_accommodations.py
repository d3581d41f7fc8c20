# ruff: noqa: F811 - fixtures imported from tests.candidate_factories
"""Accommodations: extra time before or during the test (service, admin, command), the intro
page's notes and request form, and what the report says (that it applied, nothing more)."""

import re
import socket
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments import accommodations
from assessments import services as lifecycle
from assessments.models import CandidatePolicy, Interview, InterviewEvent
from assessments.reports import report_build
from assessments.reviewers import REVIEWER_GROUP
from mariohr.formats import iso
from tests.candidate_factories import page_url, sent_interview  # noqa: F401

S = Interview.Status
NOTE = "Dyslexia: agreed with Grace on the phone, 25% extra"
MESSAGE = "I use a screen reader and would like 50% extra time, please."


@pytest.fixture
def contact(org):
    return CandidatePolicy.objects.create(
        organization=org, contact_name="Grace Hopper", contact_email="grace@acme.example"
    )


@pytest.fixture
def staff(db):
    User = get_user_model()
    changer = User.objects.create_user("changer", "changer@example.com", is_staff=True)
    changer.user_permissions.set(
        Permission.objects.filter(codename__in=["view_interview", "change_interview"])
    )
    reviewer = User.objects.create_user("reviewer", "reviewer@example.com", is_staff=True)
    reviewer.groups.add(Group.objects.get(name=REVIEWER_GROUP))
    return {"changer": changer, "reviewer": reviewer}


def csrf_client(interview) -> Client:
    # Django's CSRF check on, as in production: the candidate's forms are exempt like the
    # others (the link is the key), so a post without a cookie or token must work.
    return Client(enforce_csrf_checks=True)


def request_accommodation(client, interview, message=MESSAGE, **fields):
    """The page the candidate ends on: a request that went out is redirected to the page."""
    return client.post(
        page_url(interview, "/accommodation"), {"message": message, **fields}, follow=True
    )


# --- extra time ---------------------------------------------------------------------------


def test_extra_time_set_before_the_start_lengthens_the_time_limit_at_start(sent_interview, staff):
    interview = sent_interview()
    invitation_deadline = interview.expires_at

    accommodations.accommodation_set(
        interview=interview, percent="50", minutes=10, note=NOTE, by=staff["changer"]
    )

    interview.refresh_from_db()
    assert (interview.extra_time_percent, interview.extra_time_minutes) == (50, 10)
    assert interview.time_limit_minutes == 120 + 60 + 10
    assert interview.expires_at == invitation_deadline  # the invitation is not the time limit
    event = interview.events.get(kind="accommodation_set")
    assert event.data["by"] == staff["changer"].pk
    assert event.data["time_limit_minutes"] == 190
    assert NOTE not in str(event.data) and "Dyslexia" not in str(event.data)
    started = lifecycle.interview_start(interview=interview)
    assert started.expires_at == started.started_at + timedelta(minutes=190)


def test_extra_time_set_during_the_test_moves_the_deadline_by_the_difference(sent_interview):
    interview = lifecycle.interview_start(interview=sent_interview())
    deadline = interview.expires_at

    accommodations.accommodation_set(interview=interview, percent=25, minutes=0)
    interview.refresh_from_db()
    assert interview.expires_at == deadline + timedelta(minutes=30)

    accommodations.accommodation_set(interview=interview, percent=25, minutes=15)
    interview.refresh_from_db()
    assert interview.expires_at == deadline + timedelta(minutes=45)
    events = list(interview.events.filter(kind="accommodation_set").order_by("id"))
    assert [e.data["expires_at"] for e in events] == [
        iso(deadline + timedelta(minutes=30)),
        iso(deadline + timedelta(minutes=45)),
    ]
    assert events[0].data["by"] is None


def test_taking_extra_time_back_never_moves_the_deadline_before_now(sent_interview):
    interview = lifecycle.interview_start(interview=sent_interview())
    accommodations.accommodation_set(interview=interview, percent=0, minutes=60)
    # Most of the time used: five minutes left.
    Interview.objects.filter(pk=interview.pk).update(
        expires_at=timezone.now() + timedelta(minutes=5)
    )
    before = timezone.now()

    accommodations.accommodation_set(interview=interview, percent=0, minutes=0)

    interview.refresh_from_db()
    assert interview.expires_at >= before
    assert interview.expires_at < before + timedelta(minutes=5)


def test_the_take_page_clock_reports_the_deadline_extra_time_moved(client, sent_interview):
    interview = lifecycle.interview_start(interview=sent_interview())
    accommodations.accommodation_set(interview=interview, percent=0, minutes=20)
    interview.refresh_from_db()

    body = client.get(page_url(interview, "/clock")).json()

    assert body["deadline"] == iso(interview.expires_at)


def test_extra_time_after_submit_or_on_an_expired_test_is_refused(sent_interview):
    submitted = lifecycle.interview_submit(
        interview=lifecycle.interview_start(interview=sent_interview())
    )
    expired = lifecycle.interview_expire(interview=sent_interview())
    for interview in (submitted, expired):
        with pytest.raises(accommodations.AccommodationRefused, match="only before"):
            accommodations.accommodation_set(interview=interview, percent=50, minutes=0)
        interview.refresh_from_db()
        assert interview.extra_time_percent == 0
        assert not interview.events.filter(kind="accommodation_set").exists()


@pytest.mark.parametrize(
    ("percent", "minutes", "note", "field"),
    [
        (401, 0, "", "extra_time_percent"),
        (-1, 0, "", "extra_time_percent"),
        ("12.5", 0, "", "extra_time_percent"),
        ("١٢", 0, "", "extra_time_percent"),  # Arabic-Indic digits are not ours
        (True, 0, "", "extra_time_percent"),
        (0, 10081, "", "extra_time_minutes"),
        (0, "ten", "", "extra_time_minutes"),
        (0, 0, "a\x00b", "accommodation_note"),
        (0, 0, "x" * 2001, "accommodation_note"),
    ],
)
def test_extra_time_rejects_bad_values(sent_interview, percent, minutes, note, field):
    interview = sent_interview()
    with pytest.raises(accommodations.FieldInvalid) as invalid:
        accommodations.accommodation_set(
            interview=interview, percent=percent, minutes=minutes, note=note
        )
    assert invalid.value.field == field
    assert not interview.events.filter(kind="accommodation_set").exists()


def test_setting_the_same_values_again_records_nothing(sent_interview):
    interview = sent_interview()
    accommodations.accommodation_set(interview=interview, percent=10, minutes=0, note=NOTE)
    accommodations.accommodation_set(interview=interview, percent=10, minutes=0, note=NOTE)
    assert interview.events.filter(kind="accommodation_set").count() == 1


# --- the command ----------------------------------------------------------------------------


def test_interview_accommodate_command_sets_extra_time_by_whom(sent_interview, staff):
    interview = lifecycle.interview_start(interview=sent_interview())
    deadline = interview.expires_at
    out = StringIO()

    call_command(
        "interview_accommodate",
        interview.partner_interview_id,
        "--minutes",
        "30",
        "--note",
        NOTE,
        "--by",
        "changer",
        stdout=out,
    )

    interview.refresh_from_db()
    assert interview.extra_time_minutes == 30 and interview.accommodation_note == NOTE
    assert interview.expires_at == deadline + timedelta(minutes=30)
    assert "150 minutes" in out.getvalue() and "New deadline" in out.getvalue()
    assert interview.events.get(kind="accommodation_set").data["by"] == staff["changer"].pk


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--percent", "500"], "--percent must be a whole number from 0 to 400"),
        (["--minutes", "-5"], "--minutes must be a whole number"),
        (["--note", "a\x00b"], "--note must not contain NUL"),
        (["--percent", "10", "--by", "ghost"], "No user 'ghost'"),
        ([], "Give --percent, --minutes or --note"),
    ],
)
def test_interview_accommodate_command_explains_bad_input(sent_interview, args, error):
    interview = sent_interview()
    with pytest.raises(CommandError, match=error):
        call_command("interview_accommodate", interview.partner_interview_id, *args)
    interview.refresh_from_db()
    assert interview.time_limit_minutes == 120


def test_interview_accommodate_command_refuses_a_finished_test_and_an_unknown_id(sent_interview):
    interview = lifecycle.interview_cancel(interview=sent_interview())
    with pytest.raises(CommandError, match="cancelled"):
        call_command("interview_accommodate", interview.partner_interview_id, "--percent", "25")
    with pytest.raises(CommandError, match="No interview"):
        call_command("interview_accommodate", "no-such-id", "--percent", "25")


# --- the admin ------------------------------------------------------------------------------


def change_form(interview, **changes) -> dict:
    form = {
        "extra_time_percent": interview.extra_time_percent,
        "extra_time_minutes": interview.extra_time_minutes,
        "accommodation_note": interview.accommodation_note,
        **changes,
    }
    for prefix in ("environment_values", "answers", "score_lines", "events", "notices"):
        form.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    return form


def test_admin_change_form_sets_extra_time_through_the_service(sent_interview, staff):
    interview = lifecycle.interview_start(interview=sent_interview())
    deadline = interview.expires_at
    client = Client()
    client.force_login(staff["changer"])
    url = reverse("admin:assessments_interview_change", args=[interview.pk])
    page = client.get(url).content.decode()
    assert 'name="extra_time_minutes"' in page

    response = client.post(
        url, change_form(interview, extra_time_minutes=20, accommodation_note=NOTE)
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    interview.refresh_from_db()
    assert interview.extra_time_minutes == 20 and interview.accommodation_note == NOTE
    assert interview.expires_at == deadline + timedelta(minutes=20)
    assert interview.events.get(kind="accommodation_set").data["by"] == staff["changer"].pk


def test_admin_change_form_refuses_out_of_range_extra_time(sent_interview, staff):
    interview = sent_interview()
    client = Client()
    client.force_login(staff["changer"])
    url = reverse("admin:assessments_interview_change", args=[interview.pk])

    response = client.post(url, change_form(interview, extra_time_percent=1000))

    assert response.status_code == 200
    assert "less than or equal to 400" in response.content.decode()
    interview.refresh_from_db()
    assert interview.extra_time_percent == 0


def test_admin_shows_the_note_to_who_may_change_and_hides_it_from_reviewers(sent_interview, staff):
    interview = sent_interview()
    accommodations.accommodation_set(interview=interview, percent=25, minutes=0, note=NOTE)
    url = reverse("admin:assessments_interview_change", args=[interview.pk])
    seen = {}
    for who in ("changer", "reviewer"):
        client = Client()
        client.force_login(staff[who])
        response = client.get(url)
        assert response.status_code == 200
        seen[who] = response.content.decode()
    assert NOTE in seen["changer"]
    assert NOTE not in seen["reviewer"] and "Dyslexia" not in seen["reviewer"]


def test_admin_extra_time_is_read_only_once_the_test_is_over(sent_interview, staff):
    interview = lifecycle.interview_cancel(interview=sent_interview())
    client = Client()
    client.force_login(staff["changer"])
    page = client.get(reverse("admin:assessments_interview_change", args=[interview.pk]))
    assert 'name="extra_time_percent"' not in page.content.decode()


# --- the intro page -------------------------------------------------------------------------


def test_intro_page_shows_the_time_limit_with_extra_time(client, sent_interview):
    interview = sent_interview()
    accommodations.accommodation_set(interview=interview, percent=25, minutes=0, note=NOTE)

    html = client.get(page_url(interview)).content.decode()

    assert "150 minutes, including 30 minutes extra time," in html
    assert NOTE not in html


def test_intro_page_has_screen_reader_notes_and_the_request_form(client, sent_interview, contact):
    html = client.get(page_url(sent_interview())).content.decode()
    assert "works with a screen reader and with the keyboard alone" in html
    assert "All answers saved" in html
    assert "Request an accommodation" in html
    assert "contact the recruiter" not in html


def test_intro_page_without_a_contact_says_to_contact_the_recruiter(client, sent_interview):
    html = client.get(page_url(sent_interview())).content.decode()
    assert "Request an accommodation" not in html
    assert "contact the recruiter who sent you this test" in html


def test_accommodation_request_emails_the_contact_and_records_no_words(sent_interview, contact):
    interview = sent_interview()
    client = csrf_client(interview)
    assert 'id="accommodation-earlier"' not in client.get(page_url(interview)).content.decode()

    response = request_accommodation(client, interview)

    assert response.status_code == 200
    assert "Your request was sent to Acme" in response.content.decode()
    [email] = mail.outbox
    assert email.to == ["grace@acme.example"] and email.reply_to == ["ada@example.com"]
    assert MESSAGE in email.body and "Ada Lovelace" in email.subject
    assert MESSAGE in email.alternatives[0][0]
    assert interview.partner_interview_id in email.body
    event = interview.events.get(kind="accommodation_requested")
    assert event.data == {"sent": True}
    assert "screen reader" not in str(report_build(interview))
    # Coming back to the intro later (a reload): it says a request went out, and when.
    again = client.get(page_url(interview)).content.decode()
    assert 'id="accommodation-earlier"' in again and "You sent a request to Acme" in again
    assert MESSAGE not in again


@pytest.mark.parametrize("bad_id", ["", "x" * 41, "a b", "\u0661\u0662", "ok\x00"])
def test_a_resend_with_the_same_request_id_emails_once(sent_interview, contact, bad_id):
    interview = sent_interview()
    client = csrf_client(interview)
    url = f"/t/{interview.candidate_token}/accommodation"
    for _ in range(2):  # the first answer was lost on its way back; the page sends again
        response = client.post(url, {"message": MESSAGE, "request_id": "lq3x9a0b1c2d3e"})
        assert response.status_code == 303
    assert len(mail.outbox) == 1
    event = interview.events.get(kind="accommodation_requested")
    assert event.data == {"sent": True, "request_id": "lq3x9a0b1c2d3e"}

    # No usable id: each post is a request of its own (up to the daily limit).
    response = client.post(url, {"message": MESSAGE, "request_id": bad_id})
    assert response.status_code == 303
    assert len(mail.outbox) == 2
    assert interview.events.filter(kind="accommodation_requested").count() == 2


def test_without_javascript_a_reload_or_the_same_form_twice_sends_one_email(
    sent_interview, contact
):
    interview = sent_interview()
    client = csrf_client(interview)
    intro = client.get(page_url(interview)).content.decode()
    (request_id,) = re.findall(r'name="request_id" value="([0-9a-f]{32})"', intro)
    form = {"message": MESSAGE, "request_id": request_id}

    sent = client.post(page_url(interview, "/accommodation"), form)

    assert sent.status_code == 303
    assert sent["Location"] == page_url(interview) + "?sent=accommodation"
    reload = client.get(sent["Location"]).content.decode()  # a reload: a GET, no email
    assert "Your request was sent to Acme" in reload
    # Back to the form the browser kept, and Send again: the same request.
    assert client.post(page_url(interview, "/accommodation"), form).status_code == 303
    assert len(mail.outbox) == 1
    # A new page is a new form, with an id of its own.
    assert request_id not in client.get(page_url(interview)).content.decode()


def test_the_sent_notice_needs_a_request_on_record(sent_interview, contact):
    interview = sent_interview()
    page = Client().get(page_url(interview) + "?sent=accommodation").content.decode()
    assert "Your request was sent" not in page and 'name="message"' in page


def test_accommodation_request_to_an_unknown_link_is_404(sent_interview, contact):
    interview = sent_interview()
    response = Client().post("/t/not-a-real-token/accommodation", {"message": MESSAGE})
    assert response.status_code == 404
    assert Client().get(page_url(interview, "/accommodation")).status_code == 405
    assert mail.outbox == []
    assert not interview.events.filter(kind="accommodation_requested").exists()


@pytest.mark.parametrize(
    ("message", "problem"),
    [
        ("", "must say what you need"),
        ("   \n ", "must say what you need"),
        ("a\x00b", "must not contain NUL"),
        ("x" * 1001, "must be at most 1000 characters"),
    ],
)
def test_accommodation_request_rejects_a_bad_message(sent_interview, contact, message, problem):
    interview = sent_interview()
    client = csrf_client(interview)
    response = request_accommodation(client, interview, message)
    assert response.status_code == 400
    assert problem in response.content.decode()
    assert mail.outbox == []
    assert not interview.events.filter(kind="accommodation_requested").exists()


def test_accommodation_request_strips_control_characters(sent_interview, contact):
    interview = sent_interview()
    client = csrf_client(interview)
    response = request_accommodation(client, interview, "Extra\x1b[31m time\x07 please\r\nThanks")
    assert response.status_code == 200
    assert "Extra [31m time  please\nThanks" in mail.outbox[0].body
    assert "\x1b" not in mail.outbox[0].body and "\x07" not in mail.outbox[0].body


def test_accommodation_requests_are_rate_limited_per_interview(sent_interview, contact):
    interview, other = sent_interview(), sent_interview()
    client = csrf_client(interview)
    codes = [request_accommodation(client, interview).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert len(mail.outbox) == 3
    other_client = csrf_client(other)
    assert request_accommodation(other_client, other).status_code == 200
    # A day later the interview may ask again.
    InterviewEvent.objects.filter(interview=interview).update(
        at=timezone.now() - timedelta(hours=25)
    )
    assert request_accommodation(client, interview).status_code == 200


def test_accommodation_request_without_a_contact_sends_nothing(sent_interview):
    interview = sent_interview()
    # No form on the page: a crafted post.
    response = Client().post(page_url(interview, "/accommodation"), {"message": MESSAGE})
    assert response.status_code == 404
    assert "contact the recruiter" in response.content.decode()
    assert mail.outbox == []


def test_accommodation_request_after_the_start_or_cancel_is_not_sent(sent_interview, contact):
    started = sent_interview()
    client = csrf_client(started)
    lifecycle.interview_start(interview=started)
    response = client.post(page_url(started, "/accommodation"), {"message": MESSAGE})
    assert response.status_code == 302 and response["Location"] == page_url(started)
    cancelled = sent_interview()
    client = csrf_client(cancelled)
    lifecycle.interview_cancel(interview=cancelled)
    assert request_accommodation(client, cancelled).status_code == 410
    assert mail.outbox == []


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_accommodation_request_that_cannot_be_emailed_says_so(sent_interview, contact, settings):
    # A real SMTP connection to a port nobody listens on.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", unused_port()
    interview = sent_interview()
    client = csrf_client(interview)

    response = request_accommodation(client, interview)

    assert response.status_code == 503
    assert "could not be sent" in response.content.decode()
    assert MESSAGE in response.content.decode()  # kept in the form to send again
    event = interview.events.get(kind="accommodation_requested")
    assert event.data == {"sent": False, "error": "email"}


def test_trying_again_after_a_failed_email_is_the_same_request(sent_interview, contact, settings):
    interview = sent_interview()
    client = csrf_client(interview)
    intro = client.get(page_url(interview)).content.decode()
    (request_id,) = re.findall(r'name="request_id" value="([0-9a-f]{32})"', intro)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", unused_port()
    form = {"message": MESSAGE, "request_id": request_id}
    for _ in range(3):  # SMTP is down: each try is answered with the form to send again
        failed = client.post(page_url(interview, "/accommodation"), form)
        assert failed.status_code == 503
        assert f'name="request_id" value="{request_id}"' in failed.content.decode()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    sent = client.post(page_url(interview, "/accommodation"), form)

    assert sent.status_code == 303  # not the daily limit: three failures were one request
    assert len(mail.outbox) == 1
    event = interview.events.get(kind="accommodation_requested")
    assert event.data == {"sent": True, "request_id": request_id}


# --- the report -----------------------------------------------------------------------------


def test_report_says_an_accommodation_applied_without_details(client, sent_interview, contact):
    interview = sent_interview()
    request_accommodation(csrf_client(interview), interview)
    accommodations.accommodation_set(interview=interview, percent=25, minutes=0, note=NOTE)
    interview = lifecycle.interview_submit(interview=lifecycle.interview_start(interview=interview))

    html = client.get(reverse("report", args=[interview.report_token])).content.decode()
    body = report_build(interview)

    assert "Accommodation applied" in html
    assert body["accommodation_applied"] is True
    for shown in (html, str(body)):
        assert NOTE not in shown and "Dyslexia" not in shown
        assert "accommodation_requested" not in shown and "screen reader" not in shown
        assert "extra_time_percent" not in shown
    assert "Accommodation updated" in {entry["label"] for entry in body["transcript"]}


def test_report_without_extra_time_says_nothing_about_accommodations(client, sent_interview):
    interview = sent_interview()
    html = client.get(reverse("report", args=[interview.report_token])).content.decode()
    assert "Accommodation" not in html
    assert report_build(interview)["accommodation_applied"] is False


def test_accommodation_request_larger_than_the_site_accepts_is_a_400(
    sent_interview, contact, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    interview = sent_interview()
    response = request_accommodation(Client(), interview, "x" * 5000)
    assert response.status_code == 400
    assert "Your message is too long." in response.content.decode()
    assert mail.outbox == []
