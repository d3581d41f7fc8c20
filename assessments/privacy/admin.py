"""Candidate admin actions for erasure and export, and the read-only list of tombstones.

Erasure needs privacy.erase_candidate and export privacy.export_candidate (custom
permissions, granted to no one by default): view or change rights on candidates are not
enough to wipe them or to download everything about them.
"""

import tempfile

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import FileResponse
from django.template.response import TemplateResponse

from mariohr.admin_readonly import ReadOnlyAdminMixin

from .erasure import CandidateHasLiveTests, candidate_erase
from .export import candidate_export_zip
from .models import ErasureTombstone


class CandidatePrivacyActions:
    """Mixed into CandidateAdmin."""

    actions = ["erase_candidates", "export_candidate"]

    def has_erase_permission(self, request) -> bool:
        return request.user.has_perm("privacy.erase_candidate")

    def has_export_permission(self, request) -> bool:
        return request.user.has_perm("privacy.export_candidate")

    @admin.action(
        description="Erase the candidate's data (keeps a tombstone)", permissions=["erase"]
    )
    def erase_candidates(self, request, queryset):
        candidates = list(queryset.select_related("organization"))
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(
                request,
                "admin/privacy/erase_confirm.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Erase candidate data",
                    "opts": self.model._meta,
                    "candidates": candidates,
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                },
            )
        erased = 0
        for candidate in candidates:
            try:
                tombstone = candidate_erase(
                    candidate=candidate,
                    by_user_id=request.user.pk,
                    by_username=request.user.get_username(),
                )
            except CandidateHasLiveTests as refused:
                self.message_user(request, str(refused), messages.ERROR)
                continue
            candidate.refresh_from_db()
            self.log_change(request, candidate, f"Erased the candidate's data ({tombstone}).")
            erased += 1
        if erased:
            self.message_user(request, f"Erased {erased} candidate(s).", messages.SUCCESS)
        return None

    @admin.action(description="Export the candidate's data (zip)", permissions=["export"])
    def export_candidate(self, request, queryset):
        candidates = list(queryset[:2])
        if len(candidates) != 1:
            self.message_user(request, "Select exactly one candidate to export.", messages.ERROR)
            return None
        candidate = candidates[0]
        target = tempfile.SpooledTemporaryFile(max_size=16 << 20)  # noqa: SIM115 (FileResponse closes it)
        candidate_export_zip(candidate=candidate, target=target)
        target.seek(0)
        self.log_change(request, candidate, "Exported the candidate's data.")
        return FileResponse(
            target, as_attachment=True, filename=f"candidate-{candidate.pk}-export.zip"
        )


@admin.register(ErasureTombstone)
class ErasureTombstoneAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["candidate_id", "organization", "erased_at", "erased_by_username"]
    list_filter = ["organization"]
    search_fields = ["=candidate_id", "erased_by_username"]
    readonly_fields = [field.name for field in ErasureTombstone._meta.fields]
