"""Where an interview came from: a registry, not a choices list.

Each ATS plug-in registers its name when its app is ready, so adding an ATS needs no
migration of `Interview.source`; a value nobody registered is refused at runtime.
"""

from django.core.exceptions import ValidationError

ADMIN = "admin"

_labels: dict[str, str] = {ADMIN: "Admin"}


def source_register(value: str, label: str) -> None:
    if not value or len(value) > 20 or not value.replace("_", "").isalnum():
        raise ValueError(f"An interview source is a short slug, not {value!r}.")
    _labels[value] = label


def source_is_known(value: str) -> bool:
    return value in _labels


def source_label(value: str) -> str:
    return _labels.get(value, value)


def source_choices() -> list[tuple[str, str]]:
    return sorted(_labels.items(), key=lambda item: item[1].lower())


def validate_source(value: str) -> None:
    if not source_is_known(value):
        raise ValidationError(f"Unknown interview source {value!r}.", code="invalid_choice")
