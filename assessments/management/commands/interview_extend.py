from django.core.management.base import CommandError

from assessments import interview_changes as changes
from assessments.management.interview_command import ChangeCommand


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
            service, amount = changes.interview_time_add, {"minutes": minutes}
        else:
            service, amount = changes.interview_invitation_extend, {"days": days}
        interview = self.change(
            service, partner_interview_id=partner_interview_id, by=by, reason=reason, **amount
        )
        self.stdout.write(f"New deadline: {interview.expires_at.isoformat()}")
