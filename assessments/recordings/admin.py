from django.contrib import admin, messages
from django.utils.html import format_html

from assessments.models import Interview, Test
from mariohr.admin_extensions import admin_extend
from mariohr.admin_paging import LargeTableAdminMixin

from .models import Recording, RecordingChunk, RecordingPolicy, RecordingSegment
from .processing import recording_reprocess
from .services import recording_url_of


class RecordingPolicyInline(admin.StackedInline):
    model = RecordingPolicy
    can_delete = True
    max_num = 1
    extra = 0
    verbose_name = "Session recording"


class RecordingInline(admin.StackedInline):
    model = Recording
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["status", "consent", "duration_seconds", "chunk_count", "failure_reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class RecordingSegmentInline(admin.TabularInline):
    model = RecordingSegment
    extra = 0
    can_delete = False
    fields = ["client_id", "started_at", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class RecordingChunkInline(admin.TabularInline):
    model = RecordingChunk
    extra = 0
    can_delete = False
    fields = ["segment", "seq", "size_bytes", "sha256", "received_at", "file_name"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


admin_extend(Test, inlines=[RecordingPolicyInline])
admin_extend(Interview, inlines=[RecordingInline])


@admin.register(Recording)
class RecordingAdmin(LargeTableAdminMixin, admin.ModelAdmin):
    list_display = [
        "of_interview",
        "status",
        "consent",
        "duration_seconds",
        "chunk_count",
        "created_at",
    ]
    list_filter = ["status", "consent"]
    search_fields = [
        "interview__partner_interview_id",
        "interview__candidate__email",
        "archived_attempt__interview__partner_interview_id",
        "archived_attempt__interview__candidate__email",
    ]
    # Interview.__str__ names its test; an archived attempt's recording has no interview.
    list_select_related = ["interview__test", "archived_attempt__interview__test"]
    readonly_fields = [f.name for f in Recording._meta.fields] + ["play"]
    actions = ["process_again"]
    inlines = [RecordingSegmentInline, RecordingChunkInline]

    def has_add_permission(self, request):
        return False

    @admin.display(description="Interview")
    def of_interview(self, obj):
        if obj.interview_id is not None:
            return str(obj.interview)
        if obj.archived_attempt_id is not None:
            attempt = obj.archived_attempt
            return f"{attempt.interview} (attempt {attempt.number}, archived by a retake)"
        return "-"

    @admin.display(description="Recording")
    def play(self, obj):
        url = recording_url_of(obj)
        if not url:
            return "-"
        return format_html('<video controls preload="metadata" src="{}" width="480"></video>', url)

    @admin.action(description="Process again (failed or stuck recordings)", permissions=["change"])
    def process_again(self, request, queryset):
        queued = 0
        for recording in queryset:
            if recording_reprocess(recording=recording):
                self.log_change(request, recording, "Queued for processing again.")
                queued += 1
        self.message_user(request, f"Queued {queued} recording(s).", messages.SUCCESS)
