# ruff: noqa: F811 - fixtures imported from tests.candidate_factories
"""Similarity between submissions of a test: near-duplicates paired with their passages,
never across organizations, recomputed after a retake, shown escaped on the scoring page."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection

from assessments import candidate_services
from assessments import services as lifecycle
from assessments.interview_changes import interview_retake
from assessments.models import Interview
from assessments.reviewers import REVIEWER_GROUP
from assessments.similarity.models import Signature, SignatureBand, SimilarPair
from assessments.similarity.selectors import similar_pairs_for
from assessments.similarity.services import band_candidates, submission_similarity_compute
from assessments.similarity.signatures import band_keys, hash_values_of
from assessments.similarity.text import text_shingles

NOTES = (
    "I started by reading the request handlers and found that the pagination endpoint "
    "computes the offset from the page number without subtracting one, so the first page "
    "is always skipped. The cache decorator keys on the function name only, which means "
    "two users asking for different reports get each other's data. I would add the user id "
    "and the query parameters to the key and write a regression test for both bugs."
)
EDITED = NOTES.replace("I started by reading", "First I read").replace(
    "regression test", "REGRESSION TEST!"
)
UNRELATED = (
    "The main risk in this service is the lack of timeouts on outbound HTTP calls: a slow "
    "payment provider blocks every worker thread. I suggest a circuit breaker, explicit "
    "timeouts of a few seconds and a queue for retries, plus metrics on the latency."
)
HOSTILE = "<script>alert('owned')</script><img src=x onerror=alert(2)> " + NOTES


@pytest.fixture
def submit(db, org, catalog, celery_eager, django_capture_on_commit_callbacks):
    """Submit a repo review with these answers, running the after-commit work inline."""

    def make(notes="", solution_url="", organization=None, interview=None):
        if interview is None:
            interview, _ = lifecycle.interview_send(
                organization=organization or org,
                test=catalog["py-fastapi-review"],
                candidate=lifecycle.CandidateData(
                    first_name="Ada", last_name="Lovelace", email="ada@example.com"
                ),
                source="admin",
                callback_url="",
            )
        interview = lifecycle.interview_start(interview=interview)
        answers = {"notes": notes, "solution_url": solution_url}
        with django_capture_on_commit_callbacks(execute=True):
            return candidate_services.interview_candidate_submit(
                interview=interview, answers={k: v for k, v in answers.items() if v}
            )

    return make


def pairs_of(interview):
    return list(
        SimilarPair.objects.filter(first_interview=interview)
        | SimilarPair.objects.filter(second_interview=interview)
    )


def staff(username, *codenames, group=None):
    user = get_user_model().objects.create_user(username, f"{username}@example.com", "pw-x-123")
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def test_similarity_pairs_near_duplicate_notes_with_their_passages(submit):
    first = submit(notes=NOTES)
    second = submit(notes=EDITED)
    (pair,) = pairs_of(second)
    assert (pair.first_interview, pair.second_interview) == (first, second)
    assert pair.answer_key == "notes" and pair.organization == first.organization
    assert pair.similarity >= 0.8
    # One passage, each side as it was written (a few changed words do not split it).
    (passage,) = pair.passages
    assert "the pagination endpoint computes the offset" in passage["first"]
    assert passage["first"].endswith("write a regression test for both bugs")
    assert passage["second"].endswith("write a REGRESSION TEST! for both bugs")
    assert passage["words"] >= 60
    assert pairs_of(first) == [pair]  # listed on both sides


def test_similarity_leaves_unrelated_and_short_answers_unpaired(submit):
    submit(notes=NOTES)
    unrelated = submit(notes=UNRELATED)
    short = submit(notes="Fixed the bug.")
    assert pairs_of(unrelated) == [] and pairs_of(short) == []
    assert Signature.objects.filter(interview=unrelated, answer_key="notes").exists()
    assert not Signature.objects.filter(interview=short).exists()  # under the minimum words


def test_similarity_pairs_the_same_solution_link_however_written(submit):
    first = submit(solution_url="https://github.com/ada/fastapi-review")
    same = submit(solution_url="https://www.GitHub.com/ada/fastapi-review.git/")
    other_repo = submit(solution_url="https://github.com/bob/fastapi-review")
    (pair,) = pairs_of(same)
    assert pair.first_interview == first and pair.answer_key == "solution_url"
    assert pair.passages == [
        {
            "first": "https://github.com/ada/fastapi-review",
            "second": "https://www.GitHub.com/ada/fastapi-review.git/",
            "words": 0,
        }
    ]
    assert pairs_of(other_repo) == []


def test_similarity_never_pairs_across_organizations(submit, other_org):
    ours = submit(notes=NOTES)
    theirs = submit(notes=NOTES, organization=other_org)
    assert pairs_of(ours) == [] and pairs_of(theirs) == []
    assert SignatureBand.objects.filter(organization=other_org).count() > 0
    ours_again = submit(notes=EDITED)
    assert [p.first_interview for p in pairs_of(ours_again)] == [ours]


def test_similarity_retake_clears_pairs_and_resubmission_recomputes(submit):
    first = submit(notes=NOTES)
    second = submit(notes=EDITED)
    assert len(pairs_of(first)) == 1
    reviewer = staff("rita", group=REVIEWER_GROUP)
    retaken = interview_retake(interview=second, by=reviewer, reason="Network failure", days=3)
    assert pairs_of(first) == [] and not Signature.objects.filter(interview=second).exists()
    resubmitted = submit(notes=UNRELATED, interview=retaken)
    assert pairs_of(resubmitted) == []
    assert Signature.objects.get(interview=second, answer_key="notes").computed_at


def test_similarity_compute_is_idempotent(submit):
    first = submit(notes=NOTES)
    second = submit(notes=EDITED)
    before = [(p.first_interview_id, p.similarity, p.passages) for p in pairs_of(second)]
    assert submission_similarity_compute(interview_pk=second.pk) == 1
    assert submission_similarity_compute(interview_pk=first.pk) == 1
    assert [(p.first_interview_id, p.similarity, p.passages) for p in pairs_of(second)] == before
    assert SignatureBand.objects.filter(signature__interview=second).count() == 20


def test_similarity_scoring_page_escapes_hostile_passages(submit, client):
    first = submit(notes=HOSTILE)
    second = submit(notes=HOSTILE.replace("I would add", "I'd add"))
    client.force_login(staff("rita", group=REVIEWER_GROUP))
    response = client.get(f"/admin/assessments/interview/{second.pk}/score/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#x27;owned&#x27;)&lt;/script&gt;" in html
    assert "% similar to" in html
    assert f'href="/admin/assessments/interview/{first.pk}/score/"' in html


def test_similarity_view_only_staff_see_pairs_but_no_form(submit, client):
    first = submit(notes=NOTES)
    second = submit(notes=EDITED)
    client.force_login(staff("vera", "view_interview"))
    response = client.get(f"/admin/assessments/interview/{first.pk}/score/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "REGRESSION TEST" in html and 'name="points_' not in html
    assert f'href="/admin/assessments/interview/{second.pk}/score/"' in html
    assert client.post(f"/admin/assessments/interview/{first.pk}/score/", {}).status_code == 403

    client.force_login(staff("nobody"))
    refused = client.get(f"/admin/assessments/interview/{first.pk}/score/")
    assert refused.status_code == 403 and "REGRESSION TEST" not in refused.content.decode()


def test_similarity_links_the_other_interview_only_for_who_may_view_it(submit):
    first = submit(notes=NOTES)
    submit(notes=EDITED)
    queue_only = staff("quinn", "view_interviewtoreview")
    (shown,) = similar_pairs_for(interview=first, user=queue_only)
    assert shown.other_url == "" and shown.percent >= 80
    (linked,) = similar_pairs_for(interview=first, user=staff("vera", "view_interview"))
    assert linked.other_url.endswith(f"/{linked.other.pk}/score/")


def test_similarity_compares_long_quiz_short_answers(
    org, catalog, celery_eager, django_capture_on_commit_callbacks
):
    test = catalog["python-fundamentals-quiz"]
    question = test.questions.filter(kind="short").first()
    submitted = []
    for notes in (NOTES, EDITED, "42"):
        interview, _ = lifecycle.interview_send(
            organization=org,
            test=test,
            candidate=lifecycle.CandidateData(first_name="A", last_name="B", email="a@b.example"),
            source="admin",
            callback_url="",
        )
        interview = lifecycle.interview_start(interview=interview)
        with django_capture_on_commit_callbacks(execute=True):
            submitted.append(
                candidate_services.interview_candidate_submit(
                    interview=interview, answers={question.answer_key: notes}
                )
            )
    assert submitted[1].status == Interview.Status.COMPLETE  # a quiz completes at submit
    (pair,) = pairs_of(submitted[1])
    assert pair.first_interview == submitted[0] and pair.answer_key == question.answer_key
    assert pairs_of(submitted[2]) == []


def test_similarity_band_lookup_uses_the_index(submit, org, catalog):
    interview = submit(notes=NOTES)
    signature = Signature.objects.get(interview=interview)
    test = catalog["py-fastapi-review"]
    SignatureBand.objects.bulk_create(
        SignatureBand(
            signature=signature, organization=org, test=test, answer_key="notes", band_key=n
        )
        for n in range(20_000)
    )
    keys = band_keys(hash_values_of(text_shingles(EDITED)))
    lookup = band_candidates(organization_id=org.pk, test_id=test.pk, answer_key="notes", keys=keys)
    for analyzed in (False, True):  # first without statistics on the new rows, then with
        if analyzed and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE similarity_signatureband")
        plan = lookup.explain()
        assert "similarity_band_lookup" in plan
        assert "Seq Scan" not in plan and "SCAN similarity_signatureband" not in plan
        # The band keys are the index condition, not a filter applied after it.
        if connection.vendor == "postgresql":
            assert "Index Cond: ((band_key = ANY" in plan and "Filter" not in plan
        else:
            assert "USING INDEX similarity_band_lookup (band_key=?" in plan


def test_similarity_ignores_interviews_not_submitted_or_gone(submit, sent_interview_admin):
    submitted = submit(notes=NOTES)
    live = sent_interview_admin()
    assert submission_similarity_compute(interview_pk=live.pk) == 0
    assert live.status == Interview.Status.SENT and pairs_of(submitted) == []
    assert not Signature.objects.filter(interview=live).exists()
    assert submission_similarity_compute(interview_pk=10**9) == 0  # deleted meanwhile


@pytest.fixture
def sent_interview_admin(org, catalog):
    def make():
        interview, _ = lifecycle.interview_send(
            organization=org,
            test=catalog["py-fastapi-review"],
            candidate=lifecycle.CandidateData(first_name="B", last_name="C", email="b@example.com"),
            source="admin",
            callback_url="",
        )
        return interview

    return make
