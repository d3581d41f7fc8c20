from assessments import interview_changes as changes
from assessments.management.interview_command import ChangeCommand


class Command(ChangeCommand):
    help = (
        "Reopen an expired test that was never submitted: back to sent with a deadline --days "
        "from now, the same link; the candidate is invited again and the ATS is told."
    )

    def handle(self, *args, partner_interview_id, reason, by, days, **options):
        interview = self.change(
            changes.interview_reopen,
            partner_interview_id=partner_interview_id,
            by=by,
            reason=reason,
            days=7 if days is None else days,
        )
        self.stdout.write(f"Reopened; new deadline: {interview.expires_at.isoformat()}")
