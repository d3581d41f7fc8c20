from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management.base import BaseCommand

from assessments.crypto import fernet_key_derived


class Command(BaseCommand):
    help = (
        "Print a new random Fernet key for MARIOHR_FERNET_KEYS, or with --derived the key "
        "derived from the current SECRET_KEY (used while MARIOHR_FERNET_KEYS is unset)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--derived",
            action="store_true",
            help="Print the development key derived from SECRET_KEY, to list as an old key.",
        )

    def handle(self, *args, derived, **options):
        if derived:
            self.stdout.write(fernet_key_derived(settings.SECRET_KEY))
        else:
            self.stdout.write(Fernet.generate_key().decode())
