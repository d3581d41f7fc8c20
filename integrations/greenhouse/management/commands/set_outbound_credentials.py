from django.core.management.base import BaseCommand, CommandError

from assessments.models import Organization
from integrations.greenhouse.credentials import outbound_credentials_set


class Command(BaseCommand):
    help = (
        "Set the Basic auth MarioHR uses for calls to an organization's ATS (the results "
        "PATCH). A key alone goes in --username with no --password."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The organization's slug.")
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", default="", help="Omit for a key-as-username.")

    def handle(self, *args, slug, username, password, **options):
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            raise CommandError(f"No organization with slug '{slug}'.")
        if not username:
            raise CommandError("--username must not be empty.")
        try:
            outbound_credentials_set(
                organization=organization, username=username, password=password
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        kind = "username and password" if password else "username only (empty password)"
        self.stdout.write(f"Outbound credentials for {organization.name} set: {kind}.")
