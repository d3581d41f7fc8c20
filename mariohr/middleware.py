"""Refuse text no database column can hold before any view, session or query sees it.

PostgreSQL rejects NUL in text (SQLite stores it), so a ``%00`` in a link token, an id or
an admin filter used to be a 500 on PostgreSQL and a 404 on SQLite. One guard here answers
the same on both: unstorable text in the path is a 404 (no such page can exist), anywhere
else in the request a 400 naming the part. Lone surrogates cannot come from the wire (Django
decodes as UTF-8, replacing what is broken), but ``storable`` refuses them too.

Multipart bodies are left alone: parsing them here would turn an oversized upload into an
empty form for the view. Django's form fields refuse NUL themselves, and candidate answers
are checked by the candidate services.
"""

from django.core.exceptions import BadRequest, RequestDataTooBig, TooManyFieldsSent
from django.http import Http404

from mariohr.json_safety import storable

FORM = "application/x-www-form-urlencoded"


class UnstorableInput(BadRequest):
    """A 400 whose message is written for the client (the 400 handler shows it)."""


class RefuseUnstorableInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not storable(request.path_info):
            raise Http404("The path contains a NUL character or an unpaired surrogate.")
        problem = _unstorable_part(request)
        if problem is not None:
            raise UnstorableInput(
                f"{problem} must not contain NUL characters or unpaired surrogates."
            )
        return self.get_response(request)


def _unstorable_part(request) -> str | None:
    for name, value in request.META.items():
        if name.startswith("HTTP_") and isinstance(value, str) and not storable(value):
            return f"Header {name[5:].replace('_', '-').title()}"
    # Parsed, not raw: a quoted cookie may spell NUL as \000.
    for name, value in request.COOKIES.items():
        if not (storable(name) and storable(value)):
            return "A cookie"
    name = _unstorable_key(request.GET)
    if name is not None:
        return f"Query parameter {name!r}"
    if request.method == "POST" and request.content_type == FORM:
        try:
            form = request.POST
        except (RequestDataTooBig, TooManyFieldsSent):
            # The view reads the form again and answers these itself (the candidate's
            # submit keeps a 413 page of its own).
            return None
        name = _unstorable_key(form)
        if name is not None:
            return name
    return None


def _unstorable_key(data) -> str | None:
    """The first key of a QueryDict whose name or any value cannot be stored."""
    for key, values in data.lists():
        if not storable(key):
            return "A parameter name"
        if not all(storable(value) for value in values):
            return key
    return None
