"""Who may score: the Reviewer group and the permission that scoring checks.

Scoring is the "change" permission of the reviewers' queue (the `InterviewToReview` proxy),
not of `Interview`: "Can change interview" also allows cancelling interviews, resending
invitations and copying candidate links, which a reviewer must not be able to do. The proxy's
permissions exist without a migration of ours (Django creates them for every model).
"""

from contextlib import suppress

from django.contrib.auth.models import Group, Permission
from django.db import transaction

REVIEWER_GROUP = "Reviewer"
SCORE_PERMISSION = "assessments.change_interviewtoreview"
REVIEWER_PERMISSIONS = (
    "assessments.view_interviewtoreview",  # the "To review" queue
    SCORE_PERMISSION,  # the scoring page: score and correct scores
    "assessments.view_interview",  # find a completed interview to correct its score
)


class ReviewerPermissionsMissing(LookupError):
    """The permissions are created by `migrate`; run it first."""


def may_score(user) -> bool:
    return user.is_active and user.has_perm(SCORE_PERMISSION)


def reviewer_group_sync(*, using: str = "default") -> Group:
    """Create the Reviewer group, or reset it, to exactly REVIEWER_PERMISSIONS. Idempotent."""
    wanted = {tuple(name.split(".", 1)) for name in REVIEWER_PERMISSIONS}
    permissions = [
        permission
        for permission in Permission.objects.using(using)
        .select_related("content_type")
        .filter(codename__in=[codename for _, codename in wanted])
        if (permission.content_type.app_label, permission.codename) in wanted
    ]
    if len(permissions) != len(wanted):
        found = {f"{p.content_type.app_label}.{p.codename}" for p in permissions}
        missing = sorted(set(REVIEWER_PERMISSIONS) - found)
        raise ReviewerPermissionsMissing(f"Permissions not created yet: {', '.join(missing)}.")
    with transaction.atomic(using=using):
        group, _ = Group.objects.using(using).get_or_create(name=REVIEWER_GROUP)
        group.permissions.set(permissions)
    return group


def reviewer_group_on_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate receiver: every `migrate` (and a test database) gets the group."""
    # A partial migrate (an app still unmigrated) skips it: the next full `migrate` makes it.
    with suppress(ReviewerPermissionsMissing):
        reviewer_group_sync(using=using)
