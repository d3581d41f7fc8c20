# ruff: noqa: F811 - fixtures imported from tests.candidate_factories
"""Report access: only the report token opens a report; nothing a candidate sees reveals it
or the partner_interview_id; reviewers appear by display name, never by login."""

import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.core import mail

from assessments import services as lifecycle
from assessments.models import Interview, InterviewEvent
from assessments.recordings.models import RecordingPolicy
from assessments.reports import report_build
from assessments.scoring_services import CriterionScore, interview_review_score
from integrations.greenhouse.payloads import results_patch_payload
from integrations.values import report_url
from tests.candidate_factories import correct_answer, page_url, quiz_questions, sent_interview  # noqa: F401
from tests.fixtures.recordings import CHUNK_URL

CANDIDATE_SCRIPTS = ["js/candidate.js", "js/recorder.js", "js/recorder_ticker.js"]


def assert_reveals_nothing(text: str, interview: Interview, where: str) -> None:
    assert interview.partner_interview_id not in text, where
    assert interview.report_token not in text, where
    assert "/reports/" not in text and "/api/report" not in text, where


def reviewer(username="rita.login", **names):
    return get_user_model().objects.create_user(username, **names)


def review_scored(interview: Interview, user) -> Interview:
    interview = lifecycle.interview_submit(interview=lifecycle.interview_start(interview=interview))
    scores = {
        c.pk: CriterionScore(points=c.max_points, comment=f"Comment on {c.title}")
        for c in interview.test.criteria.all()
    }
    return interview_review_score(interview=interview, scores=scores, reviewer=user)


# Nothing a candidate sees reveals the report or the partner_interview_id


def test_candidate_pages_of_a_recorded_review_reveal_neither_id_nor_report(
    client, catalog, sent_interview, django_capture_on_commit_callbacks, celery_eager, speech_webm
):
    RecordingPolicy.objects.update_or_create(
        test=catalog["py-fastapi-review"],
        defaults={"mode": RecordingPolicy.Mode.REQUIRED},
    )
    with django_capture_on_commit_callbacks(execute=True):
        interview = sent_interview()
    [invitation] = mail.outbox
    assert_reveals_nothing(invitation.body, interview, "invitation text")
    assert_reveals_nothing(invitation.alternatives[0][0], interview, "invitation html")

    seen = []
    intro = client.get(page_url(interview))
    seen.append(("intro", intro))
    refused = client.post(page_url(interview, "/start"))
    assert refused.status_code == 409  # consent first: the refusal is a candidate answer too
    seen.append(("start refused", refused))
    consent = client.post(
        f"/recordings/{interview.candidate_token}/consent",
        data=json.dumps({"consent": "given"}),
        content_type="application/json",
    )
    seen.append(("consent", consent))
    start = client.post(page_url(interview, "/start"))
    assert start.status_code == 302
    seen.append(("start redirect", start))
    take = client.get(page_url(interview))
    assert b'id="recording-capture"' in take.content  # the recorder is on the page
    assert b"data-draft-key" in take.content
    seen.append(("take page", take))
    chunk = client.post(
        CHUNK_URL.format(token=interview.candidate_token, seq=0),
        data=speech_webm[:4096],
        content_type="video/webm",
    )
    assert chunk.status_code == 201
    seen.append(("chunk", chunk))
    saved = client.post(
        page_url(interview, "/answers"),
        data=json.dumps({"answers": {"notes": "Looks fine."}}),
        content_type="application/json",
    )
    assert saved.status_code == 200
    seen.append(("autosave", saved))
    submit = client.post(page_url(interview, "/submit"), {"notes": "Looks fine."})
    seen.append(("submit", submit))
    seen.append(("submitted page", client.get(page_url(interview))))
    seen.append(
        (
            "late autosave",
            client.post(
                page_url(interview, "/answers"), data="{}", content_type="application/json"
            ),
        )
    )
    for where, response in seen:
        assert response.status_code < 500, where
        text = response.content.decode() + "".join(f"{k}: {v}\n" for k, v in response.items())
        assert_reveals_nothing(text, interview, where)


def test_quiz_and_finished_pages_reveal_neither_id_nor_report(client, sent_interview):
    quiz = sent_interview("python-fundamentals-quiz")
    client.post(page_url(quiz, "/start"))
    pages = {"quiz take page": client.get(page_url(quiz))}
    answers = {q.answer_key: correct_answer(q) for q in quiz_questions(quiz)}
    pages["quiz submit"] = client.post(page_url(quiz, "/submit"), answers)
    pages["quiz result page"] = client.get(page_url(quiz))
    cancelled = lifecycle.interview_cancel(interview=sent_interview())
    pages["cancelled page"] = client.get(page_url(cancelled))
    expired = lifecycle.interview_expire(interview=sent_interview())
    pages["expired page"] = client.get(page_url(expired))
    assert pages["cancelled page"].status_code == 410
    quiz.refresh_from_db()
    assert quiz.status == Interview.Status.COMPLETE  # graded: the report exists now
    for where, response in pages.items():
        interview = {"cancelled page": cancelled, "expired page": expired}.get(where, quiz)
        assert_reveals_nothing(response.content.decode(), interview, where)
        assert_reveals_nothing(response.get("Location", ""), interview, where)


def test_candidate_scripts_carry_no_report_link_or_partner_id():
    for name in CANDIDATE_SCRIPTS:
        source = Path(finders.find(name)).read_text()
        assert "partner_interview_id" not in source, name
        assert "/reports/" not in source and "api/report" not in source, name


def test_autosave_draft_key_derives_from_the_candidate_token(client, sent_interview):
    interview = sent_interview()
    client.post(page_url(interview, "/start"))
    html = client.get(page_url(interview)).content.decode()
    assert f'data-draft-key="mariohr-draft-{interview.candidate_token}"' in html


# The report link: the token opens it, nothing else does


def test_report_token_is_unguessable_distinct_and_stable(sent_interview, settings):
    settings.MARIOHR_BASE_URL = "https://mariohr.example.com"
    interview = sent_interview()
    link = report_url(interview)
    assert link == f"https://mariohr.example.com/reports/{interview.report_token}"
    assert len(interview.report_token) >= 43  # 256 bits, URL-safe base64
    assert interview.report_token not in (interview.partner_interview_id, interview.candidate_token)
    assert interview.report_legacy_link is False
    scored = review_scored(interview, reviewer(first_name="Rita", last_name="Reviewer"))
    assert report_url(Interview.objects.get(pk=scored.pk)) == link
    assert results_patch_payload(scored)["partner_profile_url"] == link
    other = sent_interview()
    assert other.report_token != interview.report_token


def test_report_opens_with_its_token_only(client, sent_interview):
    interview = sent_interview()
    response = client.get(f"/reports/{interview.report_token}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    for wrong in (
        interview.partner_interview_id,
        interview.candidate_token,
        interview.report_token[:-1],
        interview.report_token.upper(),
        "%00",
        f"{interview.report_token}%00",
    ):
        for accept in ("text/html", "application/json"):
            refused = client.get(f"/reports/{wrong}", HTTP_ACCEPT=accept)
            assert refused.status_code == 404, (wrong, accept)
            assert interview.report_token not in refused.content.decode()


@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_old_report_path_is_404_for_new_interviews(client, sent_interview, accept):
    interview = sent_interview()
    response = client.get(f"/api/report/{interview.partner_interview_id}", HTTP_ACCEPT=accept)
    assert response.status_code == 404
    assert interview.report_token not in response.content.decode()
    assert "Location" not in response


def test_old_report_path_redirects_permanently_for_legacy_interviews(client, sent_interview):
    legacy, new = sent_interview(), sent_interview()
    Interview.objects.filter(pk=legacy.pk).update(report_legacy_link=True)
    response = client.get(f"/api/report/{legacy.partner_interview_id}")
    assert response.status_code == 301
    assert response["Location"] == f"/reports/{legacy.report_token}"
    followed = client.get(response["Location"], HTTP_ACCEPT="application/json")
    assert followed.status_code == 200
    assert followed.json()["partner_interview_id"] == legacy.partner_interview_id
    assert client.get(f"/api/report/{new.partner_interview_id}").status_code == 404
    assert client.get("/api/report/%00").status_code == 404
    assert client.get("/api/report/unknown-id").status_code == 404


def test_admin_scoring_page_links_to_the_token_report(admin_client, sent_interview):
    interview = lifecycle.interview_submit(
        interview=lifecycle.interview_start(interview=sent_interview())
    )
    html = admin_client.get(f"/admin/assessments/interview/{interview.pk}/score/").content
    assert f'href="/reports/{interview.report_token}"'.encode() in html


# Reviewers by display name, never by login


def test_report_names_the_reviewer_by_display_name_never_login(client, sent_interview):
    user = reviewer("rita.login", first_name="Rita", last_name="Reviewer")
    interview = review_scored(sent_interview(), user)
    body = client.get(f"/reports/{interview.report_token}", HTTP_ACCEPT="application/json").json()
    assert body["scored_by"] == "Rita Reviewer"
    [scored] = [entry for entry in body["transcript"] if entry["event"] == "scored"]
    assert scored["reviewer"] == "Rita Reviewer"
    html = client.get(f"/reports/{interview.report_token}").content.decode()
    assert "by Rita Reviewer" in html
    payload = json.dumps(results_patch_payload(interview))
    for text in (json.dumps(body), html, payload):
        assert "rita.login" not in text


def test_reviewer_without_a_name_is_called_reviewer(client, sent_interview):
    interview = review_scored(sent_interview(), reviewer("rita.login"))
    body = report_build(interview)
    assert body["scored_by"] == "Reviewer"
    assert [e["reviewer"] for e in body["transcript"] if e["event"] == "scored"] == ["Reviewer"]
    assert "rita.login" not in client.get(f"/reports/{interview.report_token}").content.decode()


def test_events_recorded_with_a_login_show_the_display_name(sent_interview):
    # Scoring events written before reviewer ids were kept carry the login.
    reviewer("rita.login", first_name="Rita", last_name="Reviewer")
    interview = review_scored(sent_interview(), None)
    InterviewEvent.objects.filter(interview=interview, kind="scored").update(
        data={"reviewer": "rita.login"}
    )
    entries = report_build(interview)["transcript"]
    assert [e["reviewer"] for e in entries if e["event"] == "scored"] == ["Rita Reviewer"]
    InterviewEvent.objects.filter(interview=interview, kind="scored").update(
        data={"reviewer": "gone.user"}
    )
    entries = report_build(interview)["transcript"]
    assert [e["reviewer"] for e in entries if e["event"] == "scored"] == ["Reviewer"]


# The migration: a distinct token for every existing row, and their old links kept


@pytest.mark.django_db(transaction=True)
def test_migration_draws_distinct_tokens_and_keeps_old_links_for_existing_rows(catalog):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.utils import timezone

    before = [("assessments", "0004_remove_test_recording_required")]
    after = [("assessments", "0005_interview_report_token")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    organization = old.get_model("assessments", "Organization").objects.create(
        name="Acme", slug="acme-migration"
    )
    test = old.get_model("assessments", "Test").objects.get(partner_test_id="py-fastapi-review")
    candidate = old.get_model("assessments", "Candidate").objects.create(
        organization=organization, first_name="Ada", last_name="Lovelace", email="ada@x.org"
    )
    now = timezone.now()
    ids = [
        old.get_model("assessments", "Interview")
        .objects.create(
            partner_interview_id=f"old-{n}",
            candidate_token=f"candidate-{n}",
            organization=organization,
            test=test,
            candidate=candidate,
            source="greenhouse",
            sent_at=now,
            expires_at=now,
            status_changed_at=now,
        )
        .pk
        for n in range(3)
    ]

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    migrated = list(Interview.objects.filter(pk__in=ids))
    tokens = {interview.report_token for interview in migrated}
    assert len(tokens) == 3 and all(len(token) >= 43 for token in tokens)
    assert all(interview.report_legacy_link for interview in migrated)
    fresh = Interview.objects.create(
        organization_id=organization.pk,
        test_id=test.pk,
        candidate_id=candidate.pk,
        source="greenhouse",
        sent_at=now,
        expires_at=now,
        status_changed_at=now,
    )
    assert fresh.report_legacy_link is False and fresh.report_token not in tokens
