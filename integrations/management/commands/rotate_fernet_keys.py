from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from assessments.secrets_rotation import UndecryptableSecrets, secrets_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret with the first key of MARIOHR_FERNET_KEYS. "
        "All or nothing: if any secret cannot be decrypted, nothing is changed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )
        parser.add_argument(
            "--skip-undecryptable",
            action="store_true",
            help="Rotate the rest and leave the secrets no key decrypts as they are (listed).",
        )

    def handle(self, *args, dry_run, skip_undecryptable, **options):
        if not settings.MARIOHR_FERNET_KEYS:
            raise CommandError(
                "MARIOHR_FERNET_KEYS is not set, so secrets use the key derived from SECRET_KEY. "
                "Set MARIOHR_FERNET_KEYS=<new key>,<derived key> first (keys from "
                "`manage.py fernet_key` and `manage.py fernet_key --derived`)."
            )
        try:
            columns = secrets_rotate(dry_run=dry_run, skip_undecryptable=skip_undecryptable)
        except UndecryptableSecrets as error:
            self._report(error.columns, dry_run=dry_run)
            raise CommandError(
                "Nothing was changed: the secrets listed above cannot be decrypted with any key "
                "in MARIOHR_FERNET_KEYS. Add the key they were encrypted with, or re-enter them, "
                "or rerun with --skip-undecryptable to rotate the rest."
            ) from None
        self._report(columns, dry_run=dry_run)
        rotated = sum(column.rotated for column in columns)
        current = sum(column.current for column in columns)
        skipped = sum(len(column.undecryptable) for column in columns)
        verb = "Would rotate" if dry_run else "Rotated"
        self.stdout.write(
            f"{verb} {rotated} secret(s); {current} already under the first key; "
            f"{skipped} undecryptable left as they are."
        )

    def _report(self, columns, *, dry_run: bool) -> None:
        verb = "to rotate" if dry_run else "rotated"
        for column in columns:
            self.stdout.write(
                f"{column.label}: {column.rotated} {verb}, {column.current} already current"
                + (f", {len(column.undecryptable)} undecryptable" if column.undecryptable else "")
            )
            for pk in column.undecryptable:
                self.stderr.write(f"Cannot decrypt {column.label} of row pk={pk}.")
