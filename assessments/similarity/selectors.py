"""What the scoring page shows of similarity: the interview's pairs, its side first."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from assessments.models import Interview
from assessments.reports import REVIEW_LABELS
from assessments.reviewers import may_score

from .models import SimilarPair


@dataclass(frozen=True)
class PairShown:
    label: str
    percent: int
    other: Interview
    other_url: str  # empty when the reviewer may not open the other interview
    passages: list[dict]  # {"this": ..., "other": ..., "words": n}


def may_view_interview(user) -> bool:
    """Who may open another interview's scoring page (the page's own check)."""
    return user.is_active and (user.has_perm("assessments.view_interview") or may_score(user))


def _labels(interview: Interview) -> dict[str, str]:
    questions = interview.test.questions.values_list("pk", flat=True)
    return {**REVIEW_LABELS, **{f"q{pk}": f"Q{n}" for n, pk in enumerate(questions, start=1)}}


def similar_pairs_for(*, interview: Interview, user) -> list[PairShown]:
    pairs = (
        SimilarPair.objects.filter(
            Q(first_interview=interview) | Q(second_interview=interview),
            # Never another organization's: the compute keeps to one, and so does the page.
            organization_id=interview.organization_id,
            similarity__gte=settings.MARIOHR_SIMILARITY_THRESHOLD,
        )
        .select_related("first_interview__candidate", "second_interview__candidate")
        .order_by("-similarity", "id")
    )
    linked = may_view_interview(user)
    labels = _labels(interview) if pairs else {}
    shown = []
    for pair in pairs:
        this_first = pair.first_interview_id == interview.pk
        other = pair.second_interview if this_first else pair.first_interview
        if other.organization_id != interview.organization_id:
            continue
        this_side, other_side = ("first", "second") if this_first else ("second", "first")
        shown.append(
            PairShown(
                label=labels.get(pair.answer_key, pair.answer_key),
                percent=round(pair.similarity * 100),
                other=other,
                other_url=reverse("admin:assessments_interview_score", args=[other.pk])
                if linked
                else "",
                passages=[
                    {
                        "this": p.get(this_side, ""),
                        "other": p.get(other_side, ""),
                        "words": p.get("words", 0),
                    }
                    for p in pair.passages
                ],
            )
        )
    return shown
