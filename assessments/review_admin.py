"""Reviewer scoring in the admin: the "To review" queue and the per-interview scoring page."""

from datetime import datetime

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import floatformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.timesince import timesince

from mariohr.admin_paging import LargeTableAdminMixin

from .admin_columns import InterviewColumns
from .feedback_admin import ACCOMMODATION_FIELDS
from .models import (
    Answer,
    EnvironmentValue,
    Interview,
    InterviewEvent,
    InterviewToReview,
    ScoreLine,
)
from .reports import environment_value_is_secret, report_build
from .reviewers import may_score
from .scoring import points_parse
from .scoring_services import (
    CriterionScore,
    ScoreInvalid,
    ScorePage,
    ScoreStale,
    interview_review_score,
)
from .services import IllegalTransition
from .similarity.selectors import similar_pairs_for

S = Interview.Status


def scoring_urls(model_admin) -> list:
    admin_view = model_admin.admin_site.admin_view
    view = admin_view(lambda request, object_id: scoring_view(model_admin, request, object_id))
    return [
        path("<int:object_id>/score/", view, name="assessments_interview_score"),
        # Without this, Django's catch-all "<path:object_id>/" would take any other id.
        path("<path:object_id>/score/", admin_view(_no_such_interview)),
    ]


def _no_such_interview(request, object_id):
    raise Http404("No interview has this id.")


def scoring_link(interview: Interview) -> str:
    if interview.status not in (S.SUBMITTED, S.COMPLETE) or interview.test.kind == "quiz":
        return "—"
    url = reverse("admin:assessments_interview_score", args=[interview.pk])
    label = "Score" if interview.status == S.SUBMITTED else "Correct score"
    return format_html('<a href="{}">{}</a>', url, label)


def _parse_scores(post, criteria) -> tuple[dict, dict]:
    scores, errors = {}, {}
    for criterion in criteria:
        raw = post.get(f"points_{criterion.pk}", "").strip()
        comment = post.get(f"comment_{criterion.pk}", "")
        points = points_parse(raw) if raw else None
        if raw and points is None:
            errors[f"criterion_{criterion.pk}"] = (
                f"Points for '{criterion.title}': '{raw[:20]}' is not a number "
                "(write e.g. 12 or 12.5)."
            )
            continue
        scores[criterion.pk] = CriterionScore(points=points, comment=comment)
    return scores, errors


def _parse_page(post) -> ScorePage | None:
    """What the posted form's page showed (its hidden fields); None when they are missing."""
    try:
        scored_at = post.get("scored_at", "")
        return ScorePage(
            attempt=int(post["attempt"]),
            scored_at=datetime.fromisoformat(scored_at) if scored_at else None,
        )
    except (KeyError, ValueError):
        return None


def _score_and_log(model_admin, request, interview, scores, page) -> str:
    """Save the score; return what to tell the reviewer."""
    # The service refuses a page that does not match the interview under the lock, so the
    # page tells scoring from correcting.
    first = page.scored_at is None
    name = interview.candidate.display_name
    told = f"{'Scored' if first else 'Corrected the score of'} {name}: the ATS will be told."
    try:
        scored = interview_review_score(
            interview=interview, scores=scores, reviewer=request.user, page=page
        )
    except ScoreStale as stale:
        if stale.repeat:  # a double click: the first post saved it
            return told
        raise
    total = f"{floatformat(scored.score, -2)}/{floatformat(scored.max_score, -2)}"
    model_admin.log_change(
        request, scored, f"{'Scored' if first else 'Corrected the score to'} {total}."
    )
    return told


def _page_fields(interview, posted, status) -> dict:
    """The form's hidden fields: what this page shows, or after an invalid post what the
    reviewer's page showed (the interview may have changed since, unseen)."""
    if posted is not None and status != 409:
        return {"attempt": posted.get("attempt", ""), "scored_at": posted.get("scored_at", "")}
    scored_at = interview.scored_at.isoformat() if interview.scored_at else ""
    return {"attempt": interview.attempt_number, "scored_at": scored_at}


def _score_post(model_admin, request, interview, criteria):
    """Handle the form: a redirect when saved, else (errors, status) to show the page with."""
    scores, errors = _parse_scores(request.POST, criteria)
    if errors:
        return errors, 400
    page = _parse_page(request.POST)
    if page is None:
        return {
            "stale": "This page is out of date: review the interview below and save again."
        }, 409
    try:
        with transaction.atomic():
            told = _score_and_log(model_admin, request, interview, scores, page)
    except ScoreInvalid as invalid:
        return invalid.errors, 400
    except IllegalTransition as illegal:
        return {"status": str(illegal)}, 400
    except ScoreStale as stale:
        return {"stale": str(stale)}, 409
    model_admin.message_user(request, told, messages.SUCCESS)
    return redirect("admin:assessments_interviewtoreview_changelist")


def scoring_view(model_admin, request, object_id: int):
    # Checked before the lookup, so that no one learns which ids exist. Those who may view
    # interviews see the page; only those who may score get the form and may post it.
    scorer = may_score(request.user)
    if not (scorer or model_admin.has_view_permission(request)):
        raise PermissionDenied
    if request.method == "POST" and not scorer:
        raise PermissionDenied
    interviews = Interview.objects.select_related("candidate", "test", "organization", "scored_by")
    interview = get_object_or_404(interviews, pk=object_id)
    criteria = list(interview.test.criteria.all())
    errors, status, posted = {}, 200, None
    if request.method == "POST":
        outcome = _score_post(model_admin, request, interview, criteria)
        if not isinstance(outcome, tuple):
            return outcome
        (errors, status), posted = outcome, request.POST
        if status == 409:
            # Shown as it is now (the new attempt, or the score saved since), with the
            # reviewer's typed points kept in the form.
            interview = interviews.get(pk=interview.pk)
    lines = {line.criterion_id: line for line in interview.score_lines.all()}
    rows = []
    for criterion in criteria:
        line = lines.get(criterion.pk)
        rows.append(
            {
                "criterion": criterion,
                "points": posted.get(f"points_{criterion.pk}", "")
                if posted
                else (line.points if line else ""),
                "comment": posted.get(f"comment_{criterion.pk}", "")
                if posted
                else (line.comment if line else ""),
                "saved": line if status == 409 else None,
                "error": errors.get(f"criterion_{criterion.pk}"),
            }
        )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": f"Score {interview.candidate.display_name} · {interview.test.name}",
        "interview": interview,
        "report": report_build(interview),
        "rows": rows,
        "errors": {k: v for k, v in errors.items() if not k.startswith("criterion_")},
        "scorable": interview.status in (S.SUBMITTED, S.COMPLETE) and bool(criteria),
        "may_score": scorer,
        "page": _page_fields(interview, posted, status),
        "similar_pairs": similar_pairs_for(interview=interview, user=request.user),
    }
    return TemplateResponse(
        request, "admin/assessments/score_interview.html", context, status=status
    )


@admin.register(InterviewToReview)
class InterviewToReviewAdmin(InterviewColumns, LargeTableAdminMixin, admin.ModelAdmin):
    # What a reviewer scans, narrow enough for 1280 px beside both sidebars: names without
    # e-mails (the search finds those), how long it has waited instead of a timestamp; the
    # organization is a filter (a column of it would not fit).
    list_display = ["candidate_name", "test_name", "source_shown", "waiting", "score_action"]
    list_filter = ["organization", "test"]
    list_select_related = ["candidate", "test"]  # the columns; the organization is a filter
    search_fields = ["partner_interview_id", "candidate__email", "candidate__last_name"]
    ordering = ["submitted_at", "id"]
    list_display_links = None
    actions = None
    # Why an interview has extra time is for those who may change interviews (the interview
    # page shows it only to them); nobody may change this admin's rows.
    exclude = ACCOMMODATION_FIELDS

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=S.SUBMITTED)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # A list, not a form: its change page would edit status and score directly. Scoring
        # is the scoring page, allowed by this model's "change" permission (reviewers.py).
        return False

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        return shown if may_score(request.user) else [f for f in shown if f != "score_action"]

    @admin.display(description="waiting", ordering="submitted_at")
    def waiting(self, obj):
        return timesince(obj.submitted_at, depth=1)

    @admin.display(description="Scoring")
    def score_action(self, obj):
        url = reverse("admin:assessments_interview_score", args=[obj.pk])
        return format_html('<a class="button" href="{}">Score</a>', url)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AnswerInline(ReadOnlyInline):
    model = Answer
    fields = readonly_fields = ["key", "value", "saved_at"]


class ScoreLineInline(ReadOnlyInline):
    model = ScoreLine
    fields = readonly_fields = ["label", "points", "max_points", "comment"]


class InterviewEventInline(ReadOnlyInline):
    model = InterviewEvent
    fields = readonly_fields = ["at", "kind", "data"]
    verbose_name_plural = "transcript"


class EnvironmentValueInline(ReadOnlyInline):
    model = EnvironmentValue
    fields = readonly_fields = ["label", "shown_value"]

    @admin.display(description="Value")
    def shown_value(self, obj):
        # Secrets are for the candidate's eyes only, not the account manager's.
        if environment_value_is_secret(label=obj.label, is_secret=obj.is_secret):
            return "•••••• (secret: shown to the candidate only)"
        return obj.value


INTERVIEW_INLINES = [EnvironmentValueInline, AnswerInline, ScoreLineInline, InterviewEventInline]
