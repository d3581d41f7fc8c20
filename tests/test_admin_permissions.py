# ruff: noqa: F811 - fixtures imported from tests.candidate_factories
"""Who may do what in the admin: every action and every custom admin URL, for each kind of staff.

The keys of ACTIONS and URLS must equal what the admin registers, so a new action or admin URL
without a row here fails `test_the_matrix_has_a_row_for_every_action` or
`test_the_matrix_has_a_row_for_every_custom_admin_url`. Each row posts or gets for real and
checks the effect (the key still works, the interview is still sent) and the admin history.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from assessments import services as lifecycle
from assessments.models import Interview, Organization
from assessments.privacy.models import ErasureTombstone
from assessments.recordings.models import Recording
from assessments.reviewers import REVIEWER_GROUP
from integrations.credentials import integration_settings_get
from integrations.delivery.models import Delivery, DeliveryAttempt
from integrations.delivery.services import delivery_submit_results
from integrations.models import ApiKey
from tests.candidate_factories import sent_interview  # noqa: F401

S = Interview.Status
WHO = ["nobody", "viewer", "changer", "reviewer"]
# What the Reviewer group may open besides the scoring page.
REVIEWER_SEES = {"assessments.interview", "assessments.interviewtoreview"}
# The URLs every ModelAdmin gets from Django (each checks the permissions itself).
STANDARD_URLS = {"changelist", "add", "history", "delete", "change"}
STANDARD_UNNAMED_ROUTES = {"<path:object_id>/"}


# --- the people -----------------------------------------------------------------------------


@pytest.fixture
def people(db):
    """Staff with no permissions, with every view_*, with every view_* and change_*, and a
    member of the Reviewer group (made by the post_migrate receiver)."""
    User = get_user_model()
    views = Permission.objects.filter(codename__startswith="view_")
    changes = Permission.objects.filter(codename__startswith="change_")
    made = {who: User.objects.create_user(who, f"{who}@example.com", is_staff=True) for who in WHO}
    made["viewer"].user_permissions.set(views)
    made["changer"].user_permissions.set([*views, *changes])
    made["reviewer"].groups.add(Group.objects.get(name=REVIEWER_GROUP))
    return made


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def history(obj, **filters):
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    return LogEntry.objects.filter(content_type=content_type, object_id=str(obj.pk), **filters)


# --- the world the rows act on --------------------------------------------------------------


@dataclass
class World:
    org: object
    send: Callable

    def sent(self) -> Interview:
        return self.send()

    def in_progress(self) -> Interview:
        return lifecycle.interview_start(interview=self.send())

    def expired(self) -> Interview:
        return lifecycle.interview_expire(interview=self.send())

    def submitted(self) -> Interview:
        return lifecycle.interview_submit(
            interview=lifecycle.interview_start(interview=self.send())
        )

    def delivery(self) -> Delivery:
        return delivery_submit_results(interview=self.submitted())

    def failed_delivery(self) -> Delivery:
        delivery = self.delivery()
        DeliveryAttempt.objects.create(
            delivery=delivery,
            number=1,
            attempted_at=timezone.now(),
            status_code=500,
            outcome=DeliveryAttempt.Outcome.FAILED,
            error="HTTP 500.",
        )
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.FAILED, attempt_count=1, last_error="HTTP 500."
        )
        delivery.refresh_from_db()
        return delivery

    def failed_recording(self) -> Recording:
        return Recording.objects.create(
            interview=self.submitted(), status=Recording.Status.FAILED, failure_reason="corrupt"
        )


@pytest.fixture
def world(org, sent_interview) -> World:
    return World(org=org, send=sent_interview)


# --- actions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionRow:
    make: Callable  # (world) -> the object the action is run on
    done: Callable  # (object, response) -> whether the action took effect
    logged: str  # what the admin history says about it
    allowed: frozenset = frozenset({"changer"})
    form: dict | None = None  # what an action's confirmation page asks for, filled in


def _with_delivery_count(interview: Interview) -> Interview:
    interview.deliveries_before = Delivery.objects.filter(interview=interview).count()
    return interview


def _more_deliveries(interview: Interview, response) -> bool:
    return Delivery.objects.filter(interview=interview).count() > interview.deliveries_before


def _status(obj) -> str:
    return type(obj).objects.get(pk=obj.pk).status


ACTIONS = {
    ("integrations.apikey", "revoke_keys"): ActionRow(
        make=lambda world: ApiKey.objects.get(organization=world.org),
        done=lambda key, response: ApiKey.objects.get(pk=key.pk).revoked_at is not None,
        logged="Revoked the key.",
    ),
    ("assessments.interview", "cancel_interviews"): ActionRow(
        make=World.sent,
        done=lambda interview, response: _status(interview) == S.CANCELLED,
        logged="Cancelled the interview.",
    ),
    ("assessments.interview", "resend_invitations"): ActionRow(
        make=World.sent,
        done=lambda interview, response: interview.events.filter(kind="invitation_resent").exists(),
        logged="Resent the invitation email.",
    ),
    ("assessments.interview", "copy_candidate_links"): ActionRow(
        make=World.sent,
        done=lambda interview, response: interview.candidate_token in response.content.decode(),
        logged="Copied the candidate link.",
    ),
    ("assessments.interview", "submit_results"): ActionRow(
        make=lambda world: _with_delivery_count(world.submitted()),
        done=_more_deliveries,
        logged="Submitted results to the ATS",
    ),
    ("assessments.interview", "resend_results"): ActionRow(
        make=lambda world: _with_delivery_count(world.delivery().interview),
        done=_more_deliveries,
        logged="Resent delivery",
    ),
    ("assessments.interview", "extend_invitations"): ActionRow(
        make=World.sent,
        done=lambda interview, response: interview.events.filter(kind="deadline_extended").exists(),
        logged="Extended the invitation deadline by 3 day(s): asked",
        form={"confirm": "yes", "reason": "asked", "days": "3"},
    ),
    ("assessments.interview", "add_time"): ActionRow(
        make=World.in_progress,
        done=lambda interview, response: interview.events.filter(kind="time_added").exists(),
        logged="Added 10 minute(s) to the test: outage",
        form={"confirm": "yes", "reason": "outage", "minutes": "10"},
    ),
    ("assessments.interview", "reopen_interviews"): ActionRow(
        make=World.expired,
        done=lambda interview, response: _status(interview) == S.SENT,
        logged="Reopened the test",
        form={"confirm": "yes", "reason": "ill", "days": "3"},
    ),
    ("assessments.interview", "retake_interviews"): ActionRow(
        make=World.submitted,
        done=lambda interview, response: _status(interview) == S.SENT,
        logged="Started a retake",
        form={"confirm": "yes", "reason": "bad wifi", "days": "3"},
    ),
    ("delivery.delivery", "retry_now"): ActionRow(
        make=World.failed_delivery,
        done=lambda delivery, response: _status(delivery) == Delivery.Status.RETRYING,
        logged="Retried now",
    ),
    ("delivery.delivery", "replay"): ActionRow(
        make=World.failed_delivery,
        done=lambda delivery, response: Delivery.objects.filter(replay_of=delivery).exists(),
        logged="Replayed as",
    ),
    ("recordings.recording", "process_again"): ActionRow(
        make=World.failed_recording,
        done=lambda recording, response: _status(recording) == Recording.Status.PENDING,
        logged="Queued for processing again.",
    ),
    ("assessments.organization", "create_sandbox_twin"): ActionRow(
        make=lambda world: world.org,
        done=lambda org, response: Organization.objects.filter(slug=f"{org.slug}-sandbox").exists(),
        logged="Created the sandbox twin",
    ),
    # Custom permissions (privacy.erase_candidate, privacy.export_candidate) that none of these
    # staff hold: change rights are not enough; tests/test_privacy_admin.py runs them granted.
    ("assessments.candidate", "erase_candidates"): ActionRow(
        make=lambda world: world.sent().candidate,
        done=lambda candidate, response: ErasureTombstone.objects.exists(),
        logged="Erased the candidate's data",
        allowed=frozenset(),
        form={"confirm": "yes"},
    ),
    ("assessments.candidate", "export_candidate"): ActionRow(
        make=lambda world: world.sent().candidate,
        done=lambda candidate, response: response.get("Content-Type") == "application/zip",
        logged="Exported the candidate's data.",
        allowed=frozenset(),
    ),
}


def superuser_request():
    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.create_superuser("root", "root@example.com", None)
    return request


def registered_actions() -> set:
    """(model, action) for every action the admin offers; Django's own delete_selected (which
    requires the delete permission and logs each deletion) is covered by
    test_view_only_staff_are_offered_no_action_anywhere."""
    request = superuser_request()
    return {
        (model._meta.label_lower, name)
        for model, model_admin in admin.site._registry.items()
        for name, (function, _, _) in model_admin.get_actions(request).items()
        if function is not delete_selected
    }


def test_the_matrix_has_a_row_for_every_action(db):
    assert set(ACTIONS) == registered_actions()


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("key", sorted(ACTIONS), ids="{0[0]}.{0[1]}".format)
def test_admin_action(people, world, key, who):
    model_label, action = key
    row = ACTIONS[key]
    obj = row.make(world)
    user = people[who]
    app_label, model_name = model_label.split(".")
    changelist = reverse(f"admin:{app_label}_{model_name}_changelist")

    response = logged_in(user).post(
        changelist,
        {"action": action, admin.helpers.ACTION_CHECKBOX_NAME: [obj.pk], **(row.form or {})},
        follow=True,
    )

    if who in row.allowed:
        assert response.status_code == 200 and response.redirect_chain
        assert row.done(obj, response)
        assert history(obj, user=user, change_message__contains=row.logged).exists()
        return
    sees_the_list = who in ("viewer", "changer") or (
        who == "reviewer" and model_label in REVIEWER_SEES
    )
    assert response.status_code == (200 if sees_the_list else 403)
    assert not response.redirect_chain  # no action ran: the list (or 403) came straight back
    assert not row.done(obj, response)
    assert not history(obj).exists()


def test_view_only_staff_are_offered_no_action_anywhere(people):
    for who in ("nobody", "viewer", "reviewer"):
        request = RequestFactory().get("/admin/")
        request.user = people[who]
        offered = {
            model._meta.label_lower: list(model_admin.get_actions(request))
            for model, model_admin in admin.site._registry.items()
            if model_admin.get_actions(request)
        }
        assert offered == {}, who


def test_view_only_staff_cannot_revoke_a_key_the_ats_uses(people, org, client_for):
    api_key = ApiKey.objects.get(organization=org)
    logged_in(people["viewer"]).post(
        reverse("admin:integrations_apikey_changelist"),
        {"action": "revoke_keys", admin.helpers.ACTION_CHECKBOX_NAME: [api_key.pk]},
    )
    assert client_for(org).get("/api/greenhouse/list_tests").status_code == 200
    logged_in(people["changer"]).post(
        reverse("admin:integrations_apikey_changelist"),
        {"action": "revoke_keys", admin.helpers.ACTION_CHECKBOX_NAME: [api_key.pk]},
    )
    assert client_for(org).get("/api/greenhouse/list_tests").status_code == 401
    entry = history(api_key).get()
    assert entry.user == people["changer"] and entry.is_change()
    assert entry.get_change_message() == "Revoked the key."


def test_view_only_staff_cannot_delete(people, org):
    api_key = ApiKey.objects.get(organization=org)
    for who in ("viewer", "changer"):
        logged_in(people[who]).post(
            reverse("admin:integrations_apikey_changelist"),
            {
                "action": "delete_selected",
                admin.helpers.ACTION_CHECKBOX_NAME: [api_key.pk],
                "post": "yes",
            },
        )
    assert ApiKey.objects.filter(pk=api_key.pk).exists()


# --- custom admin URLs ----------------------------------------------------------------------


def _score_page(world, who, user):
    interview = world.submitted()
    url = reverse("admin:assessments_interview_score", args=[interview.pk])
    client = logged_in(user)
    page = client.get(url)
    form = {f"points_{c.pk}": "3" for c in interview.test.criteria.all()}
    posted = client.post(url, {"attempt": 1, "scored_at": "", **form})  # the page's fields
    missing = client.get(reverse("admin:assessments_interview_score", args=[interview.pk + 999]))
    interview.refresh_from_db()
    scorer = who in ("changer", "reviewer")
    if who == "nobody":
        assert (page.status_code, posted.status_code, missing.status_code) == (403, 403, 403)
    else:
        assert page.status_code == 200 and missing.status_code == 404
        assert ('name="points_' in page.content.decode()) is scorer
        assert posted.status_code == (302 if scorer else 403)
    assert (interview.status == S.COMPLETE) is scorer
    assert history(interview, user=user, change_message="Scored 15/100.").exists() is scorer


def _score_page_without_an_integer_id(world, who, user):
    interview = world.submitted()
    client = logged_in(user)
    for bad in ("abc", "1.5", "%00", "1%00", f"{interview.pk}x"):
        assert client.get(f"/admin/assessments/interview/{bad}/score/").status_code == 404
        assert client.post(f"/admin/assessments/interview/{bad}/score/").status_code == 404
    interview.refresh_from_db()
    assert interview.status == S.SUBMITTED


def _failures_page(world, who, user):
    delivery = world.failed_delivery()
    response = logged_in(user).get(reverse("admin:delivery_failures"))
    allowed = who in ("viewer", "changer")
    assert response.status_code == (200 if allowed else 403)
    page = response.content.decode()
    assert (delivery.webhook_id in page) is allowed
    assert (delivery.endpoint in page) is allowed


def _user_password_change(world, who, user):
    target = get_user_model().objects.create_user("target", password="Old-pass-9876")
    url = reverse("admin:auth_user_password_change", args=[target.pk])
    client = logged_in(user)
    page = client.get(url)
    new = "N3w-long-pass-4321"
    posted = client.post(url, {"password1": new, "password2": new, "usable_password": "true"})
    target.refresh_from_db()
    allowed = who == "changer"
    assert page.status_code == (200 if allowed else 403)
    assert posted.status_code == (302 if allowed else 403)
    assert target.check_password(new) is allowed
    assert history(target, user=user).exists() is allowed


def _health_page(world, who, user):
    organization = world.sent().organization
    response = logged_in(user).get(
        reverse("admin:assessments_organization_health", args=[organization.pk])
    )
    allowed = who in ("viewer", "changer")
    assert response.status_code == (200 if allowed else 403)
    assert ("Integration health" in response.content.decode()) is allowed


def _health_page_without_an_integer_id(world, who, user):
    client = logged_in(user)
    for bad in ("abc", "1.5", "%00", "1%00", f"{world.org.pk}x"):
        assert client.get(f"/admin/assessments/organization/{bad}/health/").status_code == 404
        assert client.post(f"/admin/assessments/organization/{bad}/health/").status_code == 404


def _test_callback_page(world, who, user):
    settings_row = integration_settings_get(organization=world.org)
    name = "admin:integrations_integrationsettings_test_callback"
    client = logged_in(user)
    page = client.get(reverse(name, args=[settings_row.pk]))
    # A private address: refused by the SSRF guard, so nothing leaves the machine.
    posted = client.post(
        reverse(name, args=[settings_row.pk]), {"ats": "greenhouse", "url": "https://10.0.0.1/cb"}
    )
    missing = client.get(reverse(name, args=[settings_row.pk + 999]))
    allowed = who == "changer"
    if not allowed:
        assert (page.status_code, posted.status_code, missing.status_code) == (403, 403, 403)
    else:
        assert page.status_code == 200 and posted.status_code == 200
        assert missing.status_code == 404
        assert "SSRF guard" in posted.content.decode()
    assert history(settings_row, user=user).exists() is allowed


URLS = {
    "admin:assessments_interview_score": _score_page,
    "assessments.interview:<path:object_id>/score/": _score_page_without_an_integer_id,
    "admin:assessments_organization_health": _health_page,
    "assessments.organization:<path:object_id>/health/": _health_page_without_an_integer_id,
    "admin:delivery_failures": _failures_page,
    "admin:auth_user_password_change": _user_password_change,
    "admin:integrations_integrationsettings_test_callback": _test_callback_page,
}


def custom_admin_urls() -> set:
    """Every URL a ModelAdmin adds to Django's standard five (named, or by route if unnamed)."""
    found = set()
    for model, model_admin in admin.site._registry.items():
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        standard = {prefix + suffix for suffix in STANDARD_URLS}
        for pattern in model_admin.get_urls():
            route = str(pattern.pattern)
            if pattern.name in standard or (not pattern.name and route in STANDARD_UNNAMED_ROUTES):
                continue
            found.add(
                f"admin:{pattern.name}" if pattern.name else f"{model._meta.label_lower}:{route}"
            )
    return found


def test_the_matrix_has_a_row_for_every_custom_admin_url():
    assert set(URLS) == custom_admin_urls()


@pytest.mark.parametrize("bad", ["abc", "%00", "12x", "-1", "9" * 30])
def test_custom_admin_urls_answer_404_to_an_id_that_is_no_row(db, bad):
    client = logged_in(superuser_request().user)
    for model, model_admin in admin.site._registry.items():
        for pattern in model_admin.get_urls():
            route = str(pattern.pattern)
            if f"admin:{pattern.name}" not in URLS or "<" not in route:
                continue
            path = re.sub(r"<[^>]+>", bad, route)
            url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/{path}"
            assert client.get(url).status_code == 404, url
            assert client.post(url).status_code == 404, url


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("name", sorted(URLS))
def test_custom_admin_url(people, world, name, who):
    URLS[name](world, who, people[who])


# --- what a page shows ----------------------------------------------------------------------


def test_a_refused_delivery_list_leaves_no_failure_messages_behind(people, world):
    delivery = world.failed_delivery()
    DeliveryAttempt.objects.filter(delivery=delivery).update(
        attempted_at=timezone.now() - timedelta(days=6)
    )
    client = logged_in(people["reviewer"])
    assert client.get(reverse("admin:delivery_delivery_changelist")).status_code == 403
    assert delivery.endpoint not in client.get(reverse("admin:index")).content.decode()
    viewer = logged_in(people["viewer"])
    listing = viewer.get(reverse("admin:delivery_delivery_changelist")).content.decode()
    assert "has been failing since" in listing and delivery.endpoint in listing


def test_the_webhook_signing_secret_is_shown_only_to_who_may_change_the_settings(people, org):
    from integrations.credentials import webhook_secret_get
    from integrations.models import IntegrationSettings

    secret = webhook_secret_get(organization=org)
    row = IntegrationSettings.objects.get(organization=org)
    url = reverse("admin:integrations_integrationsettings_change", args=[row.pk])
    seen = {who: logged_in(people[who]).get(url) for who in ("viewer", "changer")}
    assert seen["viewer"].status_code == seen["changer"].status_code == 200
    assert secret not in seen["viewer"].content.decode()
    assert secret in seen["changer"].content.decode()
