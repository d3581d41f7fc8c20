"""The fake ATS receiver over HTTP, and what it got, for a sandbox's own API key."""

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework.views import APIView

from ..api import json_response
from .models import ReceivedCallback
from .receiver import callback_receive, receiver_url
from .services import sandbox_of

CAPTURES_SHOWN = 50


@csrf_exempt  # an ATS-like endpoint: the signature, not a cookie, says who called
def receiver(request, token: str, path: str = ""):
    query = request.META.get("QUERY_STRING", "")
    status, headers, body = callback_receive(
        token=token,
        method=request.method,
        path="/" + path + (f"?{query}" if query else ""),
        headers=request.headers,
        body=request.body,
    )
    response = HttpResponse(body, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


class CapturesView(APIView):
    """GET /sandbox/captures with the sandbox's API key: the latest callbacks its receiver
    got; another organization's key gets a 404, as if there were none."""

    # A developer's tool, documented in the README, not a partner API operation.
    schema = None

    def get(self, request):
        sandbox = sandbox_of(request.user)
        if sandbox is None:
            return json_response(
                {"error": "not_found", "message": "This organization is not a sandbox."}, 404
            )
        received = ReceivedCallback.objects.filter(sandbox=sandbox)[:CAPTURES_SHOWN]
        return json_response(
            {
                "callback_url": receiver_url(sandbox),
                "received": [
                    {
                        "received_at": callback.received_at.isoformat(),
                        "method": callback.method,
                        "path": callback.path,
                        "headers": callback.headers,
                        "body": callback.body if callback.body is not None else callback.body_text,
                        "webhook_id": callback.webhook_id,
                        "signature_verified": callback.signature_verified,
                        "signature_problem": callback.signature_problem,
                        "answered_status": callback.answered_status,
                    }
                    for callback in received
                ],
            }
        )
