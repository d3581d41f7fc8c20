from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from assessments import interview_changes as changes
from assessments.models import Interview


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

    def interview(self, partner_interview_id: str) -> Interview:
        interview = Interview.objects.filter(partner_interview_id=partner_interview_id).first()
        if interview is None:
            raise CommandError(f"No interview with partner_interview_id {partner_interview_id!r}.")
        return interview

    def user(self, username: str | None):
        if not username:
            return None
        try:
            return get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user {username!r} (--by).") from None

    def change(self, service, *, partner_interview_id, by, reason, **amount) -> Interview:
        interview = self.interview(partner_interview_id)
        try:
            return service(interview=interview, by=self.user(by), reason=reason, **amount)
        except changes.ChangeRefused as refusal:
            raise CommandError(str(refusal)) from None


class Command(ChangeCommand):
    help = (
        "Extend a sent test's invitation deadline (--days) or give a candidate taking the "
        "test extra minutes (--minutes)."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--minutes",
            type=int,
            help=f"Extra minutes for a test in progress (1-{changes.MINUTES_MAX}).",
        )

    def handle(self, *args, partner_interview_id, reason, by, days, minutes, **options):
        if (days is None) == (minutes is None):
            raise CommandError("Give --days (a sent test) or --minutes (a test in progress).")
        if minutes is not None:
            interview = self.change(
                changes.interview_time_add,
                partner_interview_id=partner_interview_id,
                by=by,
                reason=reason,
                minutes=minutes,
            )
        else:
            interview = self.change(
                changes.interview_invitation_extend,
                partner_interview_id=partner_interview_id,
                by=by,
                reason=reason,
                days=days,
            )
        self.stdout.write(f"New deadline: {interview.expires_at.isoformat()}")
