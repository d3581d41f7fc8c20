from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from assessments.models import Organization
from assessments.services import organization_create
from integrations.keys import api_key_issue


class Command(BaseCommand):
    help = "Issue an API key for an organization; the key is printed alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The organization's slug.")
        parser.add_argument("--create", metavar="NAME", help="Create the organization first.")
        parser.add_argument("--name", default="Default", help="A label for the key.")

    @transaction.atomic
    def handle(self, *args, slug, create, name, **options):
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None and create:
            organization = organization_create(name=create, slug=slug)
            self.stderr.write(f"Created organization {organization.name} ({slug}).")
        if organization is None:
            raise CommandError(f"No organization with slug '{slug}' (use --create NAME).")
        api_key, raw_key = api_key_issue(organization=organization, name=name)
        self.stderr.write(f"Issued key {api_key.prefix}… for {organization.name}; shown once:")
        self.stdout.write(raw_key)
