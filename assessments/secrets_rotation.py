"""Re-encrypt every secret at rest with the first key of MARIOHR_FERNET_KEYS.

All or nothing by default: every token is read under row locks in one transaction, and if
any cannot be decrypted by any listed key nothing is written, so an operator never drops an
old key believing everything moved to the new one.
"""

from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.db import models, transaction

from .crypto import SecretWhenMarked, fernet_keys

BATCH_SIZE = 500


@dataclass
class ColumnRotation:
    label: str
    rotated: int = 0
    current: int = 0
    undecryptable: list = field(default_factory=list)


class UndecryptableSecrets(Exception):
    def __init__(self, columns: list[ColumnRotation]):
        super().__init__("Some stored secrets cannot be decrypted with MARIOHR_FERNET_KEYS.")
        self.columns = columns


def encrypted_columns() -> list[tuple[type[models.Model], str, dict]]:
    """(model, column, filter) for every column holding Fernet tokens, in every app."""
    columns = []
    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            if getattr(model_field, "holds_fernet_tokens", False) or model_field.name.endswith(
                "_encrypted"
            ):
                columns.append((model, model_field.name, {}))
        if issubclass(model, SecretWhenMarked):
            columns.append((model, "value_stored", {"is_secret": True}))
    return columns


def _rows(model, column: str, filters: dict):
    """(pk, token) of the non-empty tokens, locked, in primary-key batches."""
    queryset = (
        model._default_manager.filter(**filters).exclude(**{column: ""}).order_by("pk")
    ).select_for_update()
    last_pk = None
    while True:
        page = queryset if last_pk is None else queryset.filter(pk__gt=last_pk)
        batch = list(page.values_list("pk", column)[:BATCH_SIZE])
        yield from batch
        if len(batch) < BATCH_SIZE:
            return
        last_pk = batch[-1][0]


def secrets_rotate(*, dry_run: bool = False, skip_undecryptable: bool = False) -> list:
    """Rotate every token not already under the first key; returns one ColumnRotation per
    column. Raises UndecryptableSecrets (writing nothing) unless skip_undecryptable."""
    keys = [Fernet(key) for key in fernet_keys()]
    primary, every_key = keys[0], MultiFernet(keys)
    report = []
    with transaction.atomic():
        for model, column, filters in encrypted_columns():
            result = ColumnRotation(label=f"{model._meta.label}.{column}")
            report.append(result)
            for pk, token in _rows(model, column, filters):
                try:
                    primary.decrypt(token.encode())
                    result.current += 1
                    continue
                except InvalidToken:
                    pass
                try:
                    rotated = every_key.rotate(token.encode()).decode()
                except InvalidToken:
                    result.undecryptable.append(pk)
                    continue
                result.rotated += 1
                if not dry_run:
                    # update(), not save(): rotation is not an edit (updated_at stays).
                    model._default_manager.filter(pk=pk).update(**{column: rotated})
        if any(result.undecryptable for result in report) and not skip_undecryptable:
            raise UndecryptableSecrets(report)
        if dry_run:
            transaction.set_rollback(True)
    return report
