"""The page django-axes shows a locked-out admin sign-in (AXES_LOCKOUT_CALLABLE)."""

import math

from axes.helpers import get_client_username, get_cool_off
from django.shortcuts import render


def admin_lockout_response(request, original_response=None, credentials=None):
    cool_off = get_cool_off(request)
    response = render(
        request,
        "admin/lockout.html",
        {
            "minutes": math.ceil(cool_off.total_seconds() / 60),
            "username": get_client_username(request, credentials) or "",
        },
        status=429,
    )
    # Every attempt during the lockout restarts the cool-off, so it ends that long from now.
    response["Retry-After"] = str(math.ceil(cool_off.total_seconds()))
    return response
