"""What the interview_* commands share: the interview by its partner id and the --by user."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from assessments import interview_changes as changes
from assessments.models import Interview


def interview_named(partner_interview_id: str) -> Interview:
    interview = Interview.objects.filter(partner_interview_id=partner_interview_id).first()
    if interview is None:
        raise CommandError(f"No interview with partner_interview_id {partner_interview_id!r}.")
    return interview


def user_named(username: str | None):
    """The --by user (None when not given)."""
    if not username:
        return None
    try:
        return get_user_model().objects.get_by_natural_key(username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"No user {username!r} (--by).") from None


class ChangeCommand(BaseCommand):
    """The shared shape of interview_extend, interview_reopen and interview_retake."""

    def add_arguments(self, parser):
        parser.add_argument("partner_interview_id")
        parser.add_argument("--reason", required=True, help="Why: kept in the history.")
        parser.add_argument("--by", metavar="USERNAME", help="Who asked for it (a user).")
        parser.add_argument(
            "--days",
            type=int,
            help=f"Days (1-{changes.DAYS_MAX}) from now; for interview_extend, added to the "
            "current deadline.",
        )

    def change(self, service, *, partner_interview_id, by, reason, **amount) -> Interview:
        interview = interview_named(partner_interview_id)
        try:
            return service(interview=interview, by=user_named(by), reason=reason, **amount)
        except changes.ChangeRefused as refusal:
            raise CommandError(str(refusal)) from None
