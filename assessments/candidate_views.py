"""The candidate's pages at /t/<token>: the token in the path is the only key.

No session or cookie carries authority here, so CSRF protection has nothing to protect and
is off for these endpoints: an expired CSRF cookie must never cost a candidate an answer.
The GET-only ones are exempt too, so that a wrong method is a 405, not the CSRF failure page.
"""

import contextlib
import logging
import uuid

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from mariohr.api_errors import error_body
from mariohr.json_safety import UnsafeJSON, json_loads_safe

from . import accommodations, integrity
from . import candidate_services as candidate
from . import feedback as candidate_feedback
from .interview_changes import candidate_link_replaced
from .models import Interview, Question, Test
from .recordings.services import ChunkRefused as RecordingRefused
from .recordings.services import policy_for, recording_consent_before_start
from .reports import iso
from .services import interview_start

logger = logging.getLogger(__name__)

S = Interview.Status
STATUS_PAGES = {
    # status: (HTTP status for GET, for POST, heading, message)
    S.SUBMITTED: (200, 409, "Test submitted", "Your answers were submitted. Thank you!"),
    S.COMPLETE: (200, 409, "Test submitted", "Your answers were submitted. Thank you!"),
    S.EXPIRED: (
        410,
        410,
        "This test has expired",
        "The deadline for this test has passed, so it can no longer be taken or submitted. "
        "Answers saved before the deadline are kept. Contact the recruiter if you think "
        "this is a mistake.",
    ),
    S.CANCELLED: (
        410,
        410,
        "This test was cancelled",
        "The company cancelled this test, so the link no longer works. "
        "Contact the recruiter if you have questions.",
    ),
}
NO_STORE = "no-store"
# The take page lists every question it shows under this name; a submit overwrites only
# those answers, so an empty or foreign form never wipes what autosave stored.
ANSWERED_KEYS = "answered_keys"
RECORDING_REQUIRED_MESSAGE = (
    "This test requires a camera and microphone recording, and it has not been started. "
    "Go back to the test, press \u201cI agree: start recording\u201d and allow camera and "
    "microphone access; then your answers are saved and you can submit. "
    "Answers saved so far are kept."
)


def _status_page(request, interview, *, heading=None, message=None, status=None, **extra):
    get_code, post_code, default_heading, default_message = STATUS_PAGES[interview.status]
    if status is None:
        status = post_code if request.method == "POST" else get_code
    return _page(
        request,
        interview,
        heading=heading or default_heading,
        message=message or default_message,
        status=status,
        **extra,
    )


def _page(request, interview, *, heading: str, message: str, status: int, back=False, **extra):
    context = {"interview": interview, "heading": heading, "message": message, "back": back}
    # After submitting: the optional feedback form, or its thanks once given.
    if candidate_feedback.feedback_open(interview) and "feedback" not in extra:
        given = candidate_feedback.feedback_given(interview)
        extra["feedback"] = "given" if given else "open"
    context.update(
        extra,
        feedback_comment_max=candidate_feedback.COMMENT_MAX,
        feedback_ratings=candidate_feedback.RATING_LABELS,
    )
    response = render(request, "assessments/candidate/status.html", context, status=status)
    response["Cache-Control"] = NO_STORE
    return response


def _intro(request, interview, *, status=200, **extra):
    intro = accommodations.accommodation_intro(interview)
    # "Sent" after the request's redirect, and only if a request really was sent.
    sent = request.GET.get("sent") == "accommodation" and intro["accommodation_requested_at"]
    context = {
        "interview": interview,
        "signals": integrity.page_settings(),
        **intro,
        "accommodation_sent": bool(sent),
        # One id per form shown: the same form posted twice (back, then send again; a double
        # click without JavaScript) is one request.
        "accommodation_request_id": uuid.uuid4().hex,
        **extra,
    }
    response = render(request, "assessments/candidate/intro.html", context, status=status)
    response["Cache-Control"] = NO_STORE
    return response


def _load(token: str) -> Interview:
    interview = candidate.interview_by_token(token)
    if interview is None:
        raise Http404("Unknown candidate link")
    return candidate.interview_expire_if_overdue(interview=interview)


def _recording_enabled(test: Test) -> bool:
    return policy_for(test) is not None


def _questions_with_answers(interview: Interview) -> list[dict]:
    saved = dict(interview.answers.values_list("key", "value"))
    saved_at = _answers_saved_at(interview)
    rows = []
    for number, question in enumerate(interview.test.questions.prefetch_related("choices"), 1):
        value = saved.get(question.answer_key)
        picked = value if isinstance(value, list) else [value] if value else []
        rows.append(
            {
                "number": number,
                "question": question,
                "key": question.answer_key,
                "value": value if question.kind == Question.Kind.SHORT else "",
                "saved_at": saved_at.get(question.answer_key),
                "choices": [
                    {"choice": choice, "checked": str(choice.pk) in picked}
                    for choice in question.choices.all()
                ],
            }
        )
    return rows


def _answers_saved_at(interview: Interview) -> dict[str, str | None]:
    # The page's script re-applies a local draft of an answer only when it is newer than this.
    return {key: iso(at) for key, at in interview.answers.values_list("key", "saved_at")}


@csrf_exempt
@require_GET
def page(request, token: str):
    try:
        interview = _load(token)
    except Http404:
        if not candidate_link_replaced(token):
            raise
        return _link_replaced_page(request)
    if interview.status == S.SENT:
        response = _intro(request, interview)
    elif interview.status == S.IN_PROGRESS:
        now = timezone.now()
        saved = dict(interview.answers.values_list("key", "value"))
        last_saved = interview.answers.order_by("-saved_at").values_list("saved_at", flat=True)
        context = {
            "interview": interview,
            "test": interview.test,
            "environment": interview.environment_values.all(),
            "questions": _questions_with_answers(interview),
            "review": {key: saved.get(key, "") for key in candidate.REVIEW_FIELDS},
            "review_saved_at": _answers_saved_at(interview),
            "deadline_iso": iso(interview.expires_at),
            "server_now_iso": iso(now),
            "time_left": _time_left(interview.expires_at, now),
            "limits": {"short": candidate.SHORT_ANSWER_MAX, **candidate.REVIEW_FIELDS},
            "last_saved_iso": iso(last_saved.first()),
            "recording_enabled": _recording_enabled(interview.test),
            "signals": integrity.page_settings(),
        }
        response = render(request, "assessments/candidate/take.html", context)
    else:
        thanked = request.GET.get("sent") == "feedback" and candidate_feedback.feedback_open(
            interview
        )
        if thanked and candidate_feedback.feedback_given(interview):
            return _status_page(request, interview, feedback="thanks")
        return _status_page(request, interview)
    # Secrets are on this page after Start: never let a shared cache keep it.
    response["Cache-Control"] = NO_STORE
    response["Referrer-Policy"] = "no-referrer"
    return response


def _time_left(deadline, now) -> str:
    # As the page's countdown shows it, for the moment before its script runs (or without it).
    left = max(0, round((deadline - now).total_seconds())) if deadline else 0
    hours, rest = divmod(left, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{seconds:02}" if hours else f"{minutes}:{seconds:02}"


LINK_REPLACED_MESSAGE = (
    "The company gave you a new attempt at this test with a new link, sent to you by email. "
    "Use the link in the newest email; this one no longer works."
)


def _link_replaced_page(request):
    # Nothing of the interview is shown: whoever holds an old link learns only this.
    response = render(
        request,
        "assessments/candidate/status.html",
        {
            "heading": "This link was replaced",
            "message": LINK_REPLACED_MESSAGE,
        },
        status=410,
    )
    response["Cache-Control"] = NO_STORE
    return response


@csrf_exempt
@require_POST
def start(request, token: str):
    interview = _load(token)
    if interview.status == S.SENT:
        # Consent comes before the clock: a required recording without it does not start.
        try:
            recording_consent_before_start(
                interview=interview,
                consent=request.POST.get("recording_consent", ""),
                detail=request.POST.get("recording_consent_detail", ""),
            )
        except RecordingRefused as refused:
            return _intro(request, interview, start_error=refused.detail, status=refused.status)
        # A double click or a second tab may have started it already.
        with contextlib.suppress(candidate.IllegalTransition):
            interview_start(interview=interview)
        return redirect("candidate-page", token=token)
    if interview.status == S.IN_PROGRESS:
        return redirect("candidate-page", token=token)
    return _status_page(request, interview)


def _json_error(
    http_status: int, code: str, message: str, fields: dict | None = None, **extra
) -> JsonResponse:
    return JsonResponse({**error_body(code, message, fields), **extra}, status=http_status)


def _unknown_link_json(token: str) -> JsonResponse:
    # An open tab on the link a retake replaced learns that for good (410, the page reloads
    # to say so) rather than retrying a 404.
    if candidate_link_replaced(token):
        return _json_error(410, "link_replaced", LINK_REPLACED_MESSAGE)
    return _json_error(404, "not_found", "This link is not valid.")


def _posted_json(request, token: str, *, too_large: str, max_bytes: int | None = None):
    """(interview, body, None) for a candidate's JSON POST, or (None, None, the error
    response): 404 for an unknown link (410 for a replaced one), 413 for a body too large,
    400 for unsafe JSON."""
    interview = candidate.interview_by_token(token)
    if interview is None:
        return None, None, _unknown_link_json(token)
    try:
        raw = request.body
    except RequestDataTooBig:
        raw = None
    if raw is None or (max_bytes is not None and len(raw) > max_bytes):
        return None, None, _json_error(413, "payload_too_large", too_large, {"body": [too_large]})
    try:
        return interview, json_loads_safe(raw or b"{}"), None
    except UnsafeJSON as problem:
        field = problem.field or "body"
        message = f"{field}: {problem.message}" if problem.field else problem.message
        return None, None, _json_error(400, "invalid_json", message, {field: [problem.message]})


@csrf_exempt
@require_POST
def save_answers(request, token: str):
    interview, body, error = _posted_json(
        request, token, too_large="The answers are too large to save; shorten them and try again."
    )
    if error:
        return error
    if not isinstance(body, dict):
        not_object = "The body must be a JSON object."
        return _json_error(400, "invalid_json", not_object, {"body": [not_object]})
    try:
        saved_at = candidate.answers_save(interview=interview, answers=body.get("answers", {}))
    except candidate.AnswersRefused as refused:
        # The others were stored: the page confirms those and keeps the refused ones.
        message = f"{refused.field} {refused.problem}."
        fields = {key: [problem] for key, problem in refused.refused.items()}
        extra = {"saved": refused.saved, "saved_at": iso(refused.saved_at)}
        if refused.saved_at:
            extra["deadline"] = iso(interview.expires_at)
        return _json_error(400, "invalid_answer", message, fields, **extra)
    except candidate.AnswerInvalid as error:
        # The service words a problem to follow the field's name, as the submit page shows it.
        message = f"{error.field} {error.problem}."
        return _json_error(400, "invalid_answer", message, {error.field: [error.problem]})
    except candidate.RecordingConsentMissing:
        return _json_error(
            409, "recording_required", RECORDING_REQUIRED_MESSAGE, status=S.IN_PROGRESS
        )
    except candidate.NotAcceptingAnswers as error:
        current = candidate.interview_expire_if_overdue(interview=error.interview)
        code = 410 if current.status in (S.EXPIRED, S.CANCELLED) else 409
        return _json_error(
            code,
            "not_accepting_answers",
            f"This test is {current.get_status_display().lower()}; answers can't be changed.",
            status=current.status,
        )
    # The deadline rides along (answers_save read it under the row lock): the page's clock.
    return JsonResponse({"saved_at": iso(saved_at), "deadline": iso(interview.expires_at)})


@csrf_exempt
@require_POST
def signals(request, token: str):
    """Integrity signals from the take page (assessments.integrity): a JSON batch."""
    interview, body, error = _posted_json(
        request,
        token,
        too_large=f"Send at most {integrity.BATCH_MAX} signals at a time.",
        max_bytes=integrity.BODY_MAX_BYTES,
    )
    if error:
        return error
    batch = body.get("signals") if isinstance(body, dict) else None
    try:
        counts = integrity.signals_record(interview=interview, signals=batch)
    except integrity.SignalInvalid as error:
        message = f"{error.field} {error.problem}."
        return _json_error(400, "invalid_signal", message, {error.field: [error.problem]})
    except integrity.SignalRateLimited:
        return _json_error(429, "rate_limited", "Too many requests; send again in a minute.")
    except integrity.SignalsRefused as refused:
        current = candidate.interview_expire_if_overdue(interview=refused.interview)
        code = 410 if current.status in (S.EXPIRED, S.CANCELLED) else 409
        message = f"This test is {current.get_status_display().lower()}."
        return _json_error(code, "not_in_progress", message, status=current.status)
    return JsonResponse(counts)


@csrf_exempt
@require_GET
def clock(request, token: str):
    """The take page's light poll: the deadline now, which extra time may have moved."""
    interview = candidate.interview_by_token(token)
    if interview is None:
        return _unknown_link_json(token)
    # Past the deadline and its grace it is expired, as the page itself would say.
    interview = candidate.interview_expire_if_overdue(interview=interview)
    response = JsonResponse(
        {
            "status": interview.status,
            "deadline": iso(interview.expires_at),
            "server_now": iso(timezone.now()),
        }
    )
    response["Cache-Control"] = NO_STORE
    return response


def _answers_from_form(form, interview: Interview) -> dict:
    """The answers a submitted form changes. A quiz question listed in ``answered_keys`` takes
    the form's value, blank included (an unticked box sends nothing); any other question
    changes only when the form carries a non-empty value for it, so a form without the list
    (an empty POST, a page from an older release) never blanks an autosaved answer."""
    if interview.test.kind != Test.Kind.QUIZ:
        return {key: form[key] for key in candidate.REVIEW_FIELDS if key in form}
    listed = set(form.getlist(ANSWERED_KEYS))
    answers = {}
    for question in interview.test.questions.all():
        key = question.answer_key
        multiple = question.kind == Question.Kind.MULTIPLE
        value = form.getlist(key) if multiple else form.get(key, "")
        if key in listed or value:
            answers[key] = value
    return answers


@csrf_exempt
@require_POST
def submit(request, token: str):
    interview = _load(token)
    if interview.status == S.SENT:
        return redirect("candidate-page", token=token)
    if interview.status != S.IN_PROGRESS:
        return _status_page(
            request,
            interview,
            heading="Already submitted" if interview.status in (S.SUBMITTED, S.COMPLETE) else None,
            message="This test was already submitted; your answers are kept as they were."
            if interview.status in (S.SUBMITTED, S.COMPLETE)
            else None,
        )
    try:
        # Read once: after a failed multipart read Django hands out an empty form, not the error.
        form = request.POST
    except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent):
        return _page(
            request,
            interview,
            back=True,
            heading="Your answers are too large to submit",
            message="The submitted form was larger (or had more fields) than this site "
            "accepts, so nothing was changed: the answers saved automatically while you worked "
            "are kept, and nothing saved was lost. Go back to the test, shorten your longest "
            "answers and submit again.",
            status=413,
        )
    try:
        candidate.interview_candidate_submit(
            interview=interview,
            answers=_answers_from_form(form, interview),
            automatic=form.get("automatic") == "1",
        )
    except candidate.AnswerInvalid as error:
        return _page(
            request,
            interview,
            back=True,
            heading="Your answers could not be submitted",
            message=f"{error.field} {error.problem}. Go back, check it and submit again; "
            "your other answers are saved.",
            status=400,
        )
    except candidate.RecordingConsentMissing:
        return _page(
            request,
            interview,
            back=True,
            heading="This test requires a recording",
            message=RECORDING_REQUIRED_MESSAGE,
            status=409,
        )
    except (candidate.NotAcceptingAnswers, candidate.IllegalTransition):
        interview = candidate.interview_expire_if_overdue(interview=_reload(interview))
        return _status_page(request, interview)
    return redirect("candidate-page", token=token)


def _reload(interview: Interview) -> Interview:
    interview.refresh_from_db()
    return interview


def _page_as_now(request, interview: Interview, token: str):
    """After a refusal caused by a change made since the view loaded the interview (a cancel,
    a reopen): the page as it is now. Redirected by the link used, never a retake's new one."""
    interview = candidate.interview_expire_if_overdue(interview=_reload(interview))
    if interview.status in STATUS_PAGES:
        return _status_page(request, interview)
    return redirect("candidate-page", token=token)


@csrf_exempt
@require_GET
def starter_archive(request, token: str):
    interview = _load(token)
    if interview.status != S.IN_PROGRESS or not interview.test.starter_archive:
        raise Http404("No starter archive here")
    archive = interview.test.starter_archive
    try:
        opened = archive.open("rb")
    except FileNotFoundError:
        # Gone from storage (a deleted object, lost media): the test page stays usable.
        logger.error("Starter archive %s of test %s is missing", archive.name, interview.test_id)
        return _page(
            request,
            interview,
            back=True,
            heading="The starter archive is not available",
            message="The starter archive for this test could not be found. Your test goes on: "
            "tell the recruiter who sent you the link, and keep working on your answers.",
            status=404,
        )
    return FileResponse(opened, as_attachment=True, filename=archive.name.rsplit("/", 1)[-1])


def _form_or_none(request):
    try:
        return request.POST
    except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent):
        return None


# CSRF is off here too (see the module's docstring): the intro page's Referrer-Policy
# no-referrer makes browsers send "Origin: null", which Django's check refuses. The rate limit
# per interview bounds the emails a leaked link could cause.
@csrf_exempt
@require_POST
def accommodation_request(request, token: str):
    interview = _load(token)
    if interview.status != S.SENT:
        if interview.status == S.IN_PROGRESS:
            return redirect("candidate-page", token=token)
        return _status_page(request, interview)
    form = _form_or_none(request)
    message = form.get("message", "") if form is not None else ""
    request_id = accommodations.request_id_clean(form.get("request_id")) if form else ""
    shown = {
        "accommodation_message": message.replace("\x00", ""),
        "accommodation_open": True,
        # A try again after a refusal (an email that failed) is the same request, not another.
        **({"accommodation_request_id": request_id} if request_id else {}),
    }
    try:
        if form is None:
            raise accommodations.FieldInvalid("message", "is too long")
        accommodations.accommodation_request_send(
            interview=interview, message=message, request_id=form.get("request_id", "")
        )
    except accommodations.FieldInvalid as error:
        problem = f"Your message {error.problem}."
        return _intro(request, interview, status=400, accommodation_error=problem, **shown)
    except accommodations.RequestLimitReached as refused:
        return _intro(request, interview, status=429, accommodation_error=str(refused), **shown)
    except accommodations.RequestNotSent as failed:
        return _intro(request, interview, status=503, accommodation_error=str(failed), **shown)
    except accommodations.RequestUnavailable:
        return _intro(request, interview, status=404)
    except accommodations.AccommodationRefused:
        return _page_as_now(request, interview, token)
    return _page_after_sending(token, "accommodation")


@csrf_exempt
@require_POST
def feedback(request, token: str):
    interview = _load(token)
    if not candidate_feedback.feedback_open(interview):
        if interview.status in STATUS_PAGES:
            return _status_page(request, interview)
        return redirect("candidate-page", token=token)
    form = _form_or_none(request)
    try:
        if form is None:
            raise accommodations.FieldInvalid("comment", "is too long")
        candidate_feedback.feedback_record(
            interview=interview, rating=form.get("rating", ""), comment=form.get("comment", "")
        )
    except accommodations.FieldInvalid as error:
        shown = {
            "feedback_error": f"{error.field.capitalize()}: {error.problem}.",
            "feedback_comment": form.get("comment", "").replace("\x00", "") if form else "",
        }
        return _status_page(request, interview, status=400, feedback="open", **shown)
    except candidate_feedback.FeedbackRefused:
        return _status_page(request, interview, status=409, feedback="given")
    return _page_after_sending(token, "feedback")


def _page_after_sending(token: str, sent: str) -> HttpResponseRedirect:
    # Post/redirect/get: a reload after sending is a GET of the page and never posts again.
    response = HttpResponseRedirect(f"{reverse('candidate-page', args=[token])}?sent={sent}")
    response.status_code = 303
    return response
