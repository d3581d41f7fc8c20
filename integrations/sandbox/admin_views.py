"""The "Send a test callback" page of the integration settings admin."""

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse

from .. import plugins
from .callback_trial import test_callback_send
from .receiver import receiver_url
from .services import sandbox_of


class TestCallbackForm(forms.Form):
    ats = forms.ChoiceField(label="ATS")
    url = forms.CharField(
        label="URL",
        max_length=2000,
        help_text="Where to send the sample results call: the SSRF guard applies.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ats"].choices = [(ats.ats_name, ats.ats_label) for ats in plugins.all_ats()]


def test_callback_page(model_admin, request, object_id):
    # Permission first: without it, an id that exists and one that does not look the same.
    if not model_admin.has_change_permission(request):
        raise PermissionDenied
    settings_row = model_admin.get_object(request, object_id)
    if settings_row is None:
        raise Http404("No such integration settings.")
    if not model_admin.has_change_permission(request, settings_row):
        raise PermissionDenied
    organization = settings_row.organization
    sandbox = sandbox_of(organization)
    result = None
    if request.method == "POST":
        form = TestCallbackForm(request.POST)
        if form.is_valid():
            result = test_callback_send(
                organization=organization,
                ats_name=form.cleaned_data["ats"],
                url=form.cleaned_data["url"].strip(),
            )
            summary = f"status {result.status_code}" if result.status_code else "no answer"
            model_admin.log_change(
                request,
                settings_row,
                f"Sent a {result.ats_label} test callback to {result.url[:300]}: "
                f"{summary if result.sent else 'not sent'}.",
            )
            level = messages.SUCCESS if result.ok else messages.WARNING
            model_admin.message_user(request, result.meaning, level)
    else:
        initial = {"url": receiver_url(sandbox) + "results"} if sandbox else {}
        form = TestCallbackForm(initial=initial)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Send a test callback for {organization}",
        "opts": model_admin.model._meta,
        "original": settings_row,
        "form": form,
        "result": result,
        "request_json": _pretty(result.request_body) if result else "",
        "sandbox_receiver_url": receiver_url(sandbox) if sandbox else "",
    }
    return TemplateResponse(request, "admin/integrations/test_callback.html", context)


def _pretty(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) if value is not None else ""
