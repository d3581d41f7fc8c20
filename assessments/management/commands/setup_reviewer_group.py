from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from assessments.reviewers import (
    REVIEWER_GROUP,
    REVIEWER_PERMISSIONS,
    ReviewerPermissionsMissing,
    reviewer_group_sync,
)


class Command(BaseCommand):
    help = (
        f"Create (or reset) the {REVIEWER_GROUP} group with exactly the permissions scoring "
        "needs; optionally add staff users to it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--user",
            action="append",
            default=[],
            metavar="USERNAME",
            help="Add this user to the group and let them log into the admin (repeatable).",
        )

    def handle(self, *args, user, **options):
        try:
            group = reviewer_group_sync()
        except ReviewerPermissionsMissing as exc:
            raise CommandError(f"{exc} Run `python manage.py migrate` first.") from None
        User = get_user_model()
        users = []
        for username in user:
            try:
                users.append(User.objects.get_by_natural_key(username))
            except User.DoesNotExist:
                raise CommandError(f"No user {username!r}.") from None
        for member in users:
            member.groups.add(group)
            if not member.is_staff:
                member.is_staff = True
                member.save(update_fields=["is_staff"])
            self.stdout.write(f"{member.get_username()} is a {REVIEWER_GROUP.lower()}.")
        self.stdout.write(f"{REVIEWER_GROUP} group: {', '.join(REVIEWER_PERMISSIONS)}")
