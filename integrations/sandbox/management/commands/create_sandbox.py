from django.core.management.base import BaseCommand, CommandError

from assessments.models import Organization
from integrations.credentials import webhook_secret_get
from integrations.sandbox.receiver import receiver_url
from integrations.sandbox.services import SandboxNotPossible, sandbox_twin_create


class Command(BaseCommand):
    help = (
        "Create the sandbox twin <slug>-sandbox of an organization, every ATS set up to send "
        "to its receiver; prints its API key once. Again: sets up only what is missing."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The production organization's slug.")

    def handle(self, *args, slug, **options):
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            raise CommandError(f"No organization with the slug {slug!r}.")
        try:
            created = sandbox_twin_create(organization=organization)
        except SandboxNotPossible as exc:
            raise CommandError(str(exc)) from None
        twin = created.sandbox.organization
        self.stdout.write(f"Sandbox organization: {twin.slug}")
        if created.created:
            self.stdout.write(f"API key (shown once): {created.raw_key}")
        else:
            self.stdout.write("It exists already: no new API key (issue one under API keys).")
        for line in created.configured:
            self.stdout.write(line)
        self.stdout.write(f"Callback URL: {receiver_url(created.sandbox)}")
        self.stdout.write(f"Webhook signing secret: {webhook_secret_get(organization=twin)}")
