# ruff: noqa: F811 - fixtures imported from tests.candidate_factories
"""The scoring page refuses a post built on what is no longer there: a score saved since by
someone else, a double click, a new attempt; and points in anything but plain decimals."""

from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.test import Client

from assessments import interview_changes as changes
from assessments import services as lifecycle
from assessments.models import Interview
from assessments.scoring_services import (
    CriterionScore,
    ScorePage,
    ScoreStale,
    interview_review_score,
)
from integrations.delivery.models import Delivery
from tests.candidate_factories import sent_interview  # noqa: F401

S = Interview.Status


def reviewer(username: str, first_name: str) -> Client:
    user = get_user_model().objects.create_superuser(
        username, f"{username}@example.com", f"pw-{username}-12345", first_name=first_name
    )
    client = Client()
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def ann(db):
    return reviewer("ann", "Ann")


@pytest.fixture
def bob(db):
    return reviewer("bob", "Bob")


def submitted(make):
    return lifecycle.interview_submit(interview=lifecycle.interview_start(interview=make()))


def url_of(interview) -> str:
    return f"/admin/assessments/interview/{interview.pk}/score/"


def opened(client, interview) -> dict:
    """The page's form as the browser would post it, points still to be typed."""
    page = client.get(url_of(interview))
    assert page.status_code == 200
    return dict(page.context["page"])


def typed(form: dict, interview, points: str, comment: str = "") -> dict:
    for criterion in interview.test.criteria.all():
        form[f"points_{criterion.pk}"] = points
        form[f"comment_{criterion.pk}"] = comment
    return {**form}


def trail(interview) -> tuple[list, int]:
    kinds = list(interview.events.values_list("kind", flat=True))
    return kinds, Delivery.objects.filter(interview=interview).count()


def test_the_second_reviewer_is_shown_the_first_ones_score_not_overwriting_it(
    ann, bob, sent_interview, django_capture_on_commit_callbacks
):
    interview = submitted(sent_interview)
    ann_form, bob_form = opened(ann, interview), opened(bob, interview)
    with django_capture_on_commit_callbacks(execute=True):
        assert bob.post(url_of(interview), typed(bob_form, interview, "5")).status_code == 302
    after_bob = trail(interview)

    with django_capture_on_commit_callbacks(execute=True):
        refused = ann.post(url_of(interview), typed(ann_form, interview, "2", "mine"))

    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Scored by Bob at " in html and "since you opened this page" in html
    assert 'value="2"' in html and "mine" in html  # Ann's typing is kept
    assert "Saved now: 5" in html  # and Bob's score shown beside it
    interview.refresh_from_db()
    assert (interview.score, interview.scored_by) == (Decimal("25"), bob.user)
    assert trail(interview) == after_bob
    assert not LogEntry.objects.filter(user=ann.user).exists()

    # Having seen Bob's score, Ann corrects it from the page she was shown: that is told.
    form = dict(refused.context["page"])
    assert form["scored_at"]
    with django_capture_on_commit_callbacks(execute=True):
        saved = ann.post(url_of(interview), typed(form, interview, "2"), follow=True)
    assert "Corrected the score of" in saved.content.decode()
    interview.refresh_from_db()
    assert (interview.score, interview.scored_by) == (Decimal("10"), ann.user)
    kinds, deliveries = trail(interview)
    assert kinds[-2:] == ["scored", "score_corrected"] and deliveries == after_bob[1] + 1


def test_a_double_click_saves_and_tells_the_ats_once(
    ann, sent_interview, django_capture_on_commit_callbacks
):
    interview = submitted(sent_interview)
    form = typed(opened(ann, interview), interview, "3", "fine")
    before = trail(interview)
    with django_capture_on_commit_callbacks(execute=True):
        first = ann.post(url_of(interview), form)
        second = ann.post(url_of(interview), form, follow=True)
    assert first.status_code == 302
    assert second.redirect_chain[0][1] == 302
    assert "Scored" in second.content.decode()
    kinds, deliveries = trail(interview)
    assert kinds.count("scored") == 1 and "score_corrected" not in kinds
    assert deliveries == before[1] + 1
    assert LogEntry.objects.filter(user=ann.user).count() == 1


def test_a_double_click_on_a_correction_corrects_once(
    ann, sent_interview, django_capture_on_commit_callbacks
):
    interview = submitted(sent_interview)
    ann.post(url_of(interview), typed(opened(ann, interview), interview, "3"))
    form = typed(opened(ann, interview), interview, "4")
    before = trail(interview)
    with django_capture_on_commit_callbacks(execute=True):
        assert ann.post(url_of(interview), form).status_code == 302
        assert ann.post(url_of(interview), form).status_code == 302
    kinds, deliveries = trail(interview)
    assert kinds.count("score_corrected") == 1 and deliveries == before[1] + 1
    interview.refresh_from_db()
    assert interview.score == 20


def test_the_same_reviewer_changing_the_points_from_an_old_page_is_refused(
    ann, sent_interview, django_capture_on_commit_callbacks
):
    interview = submitted(sent_interview)
    form = opened(ann, interview)
    ann.post(url_of(interview), typed(dict(form), interview, "3"))
    with django_capture_on_commit_callbacks(execute=True):
        refused = ann.post(url_of(interview), typed(dict(form), interview, "4"))
    assert refused.status_code == 409
    assert "Scored by Ann at " in refused.content.decode()
    interview.refresh_from_db()
    assert interview.score == 15


def test_a_page_of_the_previous_attempt_does_not_score_the_new_one(
    ann, sent_interview, django_capture_on_commit_callbacks
):
    interview = submitted(sent_interview)
    form = opened(ann, interview)
    interview = changes.interview_retake(interview=interview, by=None, reason="wifi", days=3)
    interview = lifecycle.interview_submit(interview=lifecycle.interview_start(interview=interview))
    before = trail(interview)

    with django_capture_on_commit_callbacks(execute=True):
        refused = ann.post(url_of(interview), typed(form, interview, "1", "old answers"))

    assert refused.status_code == 409
    html = refused.content.decode()
    assert "This is a new attempt (attempt 2) since you opened this page" in html
    assert "old answers" in html
    interview.refresh_from_db()
    assert (interview.status, interview.score, interview.attempt_number) == (S.SUBMITTED, None, 2)
    assert not interview.score_lines.exists()
    assert trail(interview) == before
    # The page now shown is attempt 2's: saving from it scores attempt 2.
    again = dict(refused.context["page"])
    assert str(again["attempt"]) == "2"
    assert ann.post(url_of(interview), typed(again, interview, "1")).status_code == 302


def test_a_post_without_the_pages_fields_is_refused(ann, sent_interview):
    interview = submitted(sent_interview)
    refused = ann.post(url_of(interview), typed({}, interview, "1"))
    assert refused.status_code == 409
    assert "out of date" in refused.content.decode()
    interview.refresh_from_db()
    assert interview.status == S.SUBMITTED
    # The page shown with it carries the fields again.
    assert refused.context["page"]["attempt"] == 1


def test_an_invalid_post_keeps_the_fields_of_the_page_it_came_from(ann, bob, sent_interview):
    interview = submitted(sent_interview)
    form = opened(ann, interview)
    bob.post(url_of(interview), typed(opened(bob, interview), interview, "5"))
    invalid = ann.post(url_of(interview), typed(dict(form), interview, "99"))
    assert invalid.status_code == 400
    # Still Ann's first page: fixing the points does not silently overwrite Bob.
    assert invalid.context["page"] == {"attempt": "1", "scored_at": ""}
    fixed = ann.post(url_of(interview), typed(dict(invalid.context["page"]), interview, "2"))
    assert fixed.status_code == 409
    interview.refresh_from_db()
    assert interview.score == 25


@pytest.mark.parametrize(
    "bad",
    [
        "0E-999999999",
        "0e-999999999999999999",
        "0E+999999999999999999",
        "0E+5",
        "5e0",
        "1_0",
        "Infinity",
        "0x1",
        "1.2.3",
    ],
)
def test_points_in_other_than_plain_decimals_are_refused_naming_the_criterion(
    ann, sent_interview, bad
):
    interview = submitted(sent_interview)
    form = typed(opened(ann, interview), interview, "1")
    first = interview.test.criteria.first()
    form[f"points_{first.pk}"] = bad
    response = ann.post(url_of(interview), form)
    assert response.status_code == 400
    assert f"Points for &#x27;{first.title}&#x27;" in response.content.decode()
    interview.refresh_from_db()
    assert interview.status == S.SUBMITTED and not interview.score_lines.exists()


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("0", "0.00"),
        ("-0", "0.00"),
        ("2.5", "2.50"),
        (".5", "0.50"),
        ("1.500", "1.50"),
        ("١٢", "12.00"),
    ],
)
def test_plain_points_are_stored_with_two_decimals(ann, sent_interview, raw, stored):
    interview = submitted(sent_interview)
    form = typed(opened(ann, interview), interview, "1")
    first = interview.test.criteria.first()
    form[f"points_{first.pk}"] = raw
    assert ann.post(url_of(interview), form).status_code == 302
    line = interview.score_lines.get(criterion=first)
    assert str(line.points) == stored
    interview.refresh_from_db()
    assert interview.score == 4 + Decimal(stored)


def test_the_service_checks_the_page_against_the_locked_row(ann, sent_interview):
    interview = submitted(sent_interview)
    criteria = interview.test.criteria.all()
    scores = {c.pk: CriterionScore(points=Decimal("1")) for c in criteria}
    page = ScorePage(attempt=1, scored_at=None)
    scored = interview_review_score(
        interview=interview, scores=scores, reviewer=ann.user, page=page
    )
    with pytest.raises(ScoreStale) as stale:
        interview_review_score(interview=interview, scores=scores, reviewer=None, page=page)
    assert not stale.value.repeat and "Scored by Ann at " in str(stale.value)
    fresh = ScorePage(attempt=1, scored_at=scored.scored_at)
    corrected = interview_review_score(
        interview=interview, scores=scores, reviewer=None, page=fresh
    )
    assert corrected.scored_at > scored.scored_at
