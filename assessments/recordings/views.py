"""Candidate-side endpoints, keyed by the interview's candidate_token (the only key the
candidate holds), and the signed download for local storage.

CSRF is exempt on purpose: these requests authenticate with the secret token in the path,
not with a cookie, so a cross-site page cannot forge one without already knowing it.
"""

import re

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from assessments.models import Interview
from assessments.selectors import CANDIDATE_TOKEN
from mariohr.api_errors import error_body
from mariohr.json_safety import UnsafeJSON, json_loads_safe

from . import services
from .links import LinkExpired, link_storage_key
from .models import Recording
from .ranges import Unsatisfiable, byte_range_parse

MAX_RANGE_BYTES = 8 << 20


# The services refuse with an HTTP status and the field at fault; the code follows the status.
ERROR_CODES = {
    400: "invalid_request",
    404: "not_found",
    409: "conflict",
    410: "gone",
    413: "payload_too_large",
    415: "unsupported_media_type",
    503: "unavailable",
}


def _error(status: int, field: str, detail: str, *, code: str = "", **extra) -> JsonResponse:
    body = error_body(code or ERROR_CODES.get(status, "error"), detail, {field: [detail]})
    return JsonResponse({**body, **extra}, status=status)


def _refused(refused: services.ChunkRefused) -> JsonResponse:
    # "closed": this will never be accepted (the interview no longer records); stop retrying.
    return _error(refused.status, refused.field, refused.detail, closed=refused.closed)


def _interview(candidate_token: str) -> Interview | None:
    if not CANDIDATE_TOKEN.fullmatch(candidate_token):
        return None
    return Interview.objects.select_related("test").filter(candidate_token=candidate_token).first()


def _unknown() -> JsonResponse:
    return _error(404, "candidate_token", "No interview has this link.")


def _read_body(request, cap: int) -> bytes | None:
    """Read at most ``cap`` bytes from the stream; None when the body is longer."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > cap:
        return None
    # request.read, not request.body: body enforces DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB).
    data = request.read(cap + 1)
    return None if len(data) > cap else data


SEQ = re.compile(r"[0-9]{1,9}")
STARTED = re.compile(r"[0-9]{1,15}")


@csrf_exempt
@require_POST
def chunk_upload(request, candidate_token: str, seq: str):
    """The route before segments: one segment named "legacy"."""
    return _chunk(request, candidate_token, seq, services.LEGACY_SEGMENT, started_ms=None)


@csrf_exempt
@require_POST
def segment_chunk_upload(request, candidate_token: str, segment_id: str, seq: str):
    started = request.GET.get("started", "")
    if not STARTED.fullmatch(started):
        return _error(
            400, "started", "Required: when this segment began, in milliseconds since 1970."
        )
    return _chunk(request, candidate_token, seq, segment_id, started_ms=int(started))


def _chunk(request, candidate_token: str, seq: str, segment_id: str, *, started_ms):
    interview = _interview(candidate_token)
    if interview is None:
        return _unknown()
    # Routed as a string so "-1" or "abc" get this JSON answer rather than the HTML 404 page.
    if not SEQ.fullmatch(seq) or int(seq) > services.MAX_SEQ:
        return _error(400, "seq", f"Must be a whole number between 0 and {services.MAX_SEQ}.")
    cap = settings.MARIOHR_RECORDING_MAX_CHUNK_BYTES
    data = _read_body(request, cap)
    if data is None:
        return _error(413, "body", f"A chunk may be at most {cap} bytes.")
    try:
        chunk, created = services.recording_chunk_receive(
            interview=interview,
            seq=int(seq),
            data=data,
            content_type=request.META.get("CONTENT_TYPE", ""),
            segment_id=segment_id,
            started_ms=started_ms,
        )
    except services.ChunkRefused as refused:
        return _refused(refused)
    return JsonResponse(
        {
            "segment": segment_id,
            "seq": chunk.seq,
            "size": chunk.size_bytes,
            "sha256": chunk.sha256,
            "duplicate": not created,
        },
        status=201 if created else 200,
    )


CONSENT_MAX_BYTES = 4096


@csrf_exempt
@require_POST
def consent(request, candidate_token: str):
    interview = _interview(candidate_token)
    if interview is None:
        return _unknown()
    data = _read_body(request, CONSENT_MAX_BYTES)
    if data is None:
        return _error(413, "body", f"The consent body may be at most {CONSENT_MAX_BYTES} bytes.")
    try:
        body = json_loads_safe(data)
    except UnsafeJSON as problem:
        return _error(400, problem.field or "body", problem.message, code="invalid_json")
    if not isinstance(body, dict):
        return _error(400, "body", "Expected a JSON object.", code="invalid_json")
    if not isinstance(body.get("consent"), str):
        return _error(400, "consent", "Required: given, declined or unavailable.")
    detail = body.get("detail")
    if detail is not None and not isinstance(detail, str):
        return _error(400, "detail", "Must be a string.")
    try:
        recording = services.recording_consent_record(
            interview=interview, consent=body["consent"], detail=detail or ""
        )
    except services.ChunkRefused as refused:
        return _refused(refused)
    return JsonResponse({"consent": recording.consent})


@require_GET
def download(request, token: str):
    try:
        storage_key = link_storage_key(token)
    except LinkExpired:
        return HttpResponse("This recording link has expired.", status=410)
    except (signing.BadSignature, KeyError, ValueError, TypeError):
        return HttpResponse("This recording link is not valid.", status=403)
    recording = get_object_or_404(
        Recording, storage_key=storage_key, status=Recording.Status.PROCESSED
    )
    try:
        handle = default_storage.open(recording.file_name, "rb")
    except FileNotFoundError:
        return HttpResponse("This recording is no longer available.", status=404)
    size = recording.size_bytes or default_storage.size(recording.file_name)
    try:
        wanted = byte_range_parse(
            request.META.get("HTTP_RANGE", ""), size=size, max_length=MAX_RANGE_BYTES
        )
    except Unsatisfiable:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    if wanted is None:
        response = FileResponse(handle, content_type="video/webm")
        response["Accept-Ranges"] = "bytes"
        return response
    # Players seek with Range requests; answer a single range.
    handle.seek(wanted.start)
    body = handle.read(wanted.length)
    handle.close()
    response = HttpResponse(body, status=206, content_type="video/webm")
    response["Content-Range"] = f"bytes {wanted.start}-{wanted.end}/{size}"
    response["Accept-Ranges"] = "bytes"
    return response
