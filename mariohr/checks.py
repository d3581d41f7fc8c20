"""System checks for settings that name code by dotted path (`manage.py check`, and `migrate`,
so `make run` stops at once): settings.py only reads them, and a typo would otherwise surface
at the first email or the first recording."""

from django.conf import settings
from django.core.checks import Error, register
from django.utils.module_loading import import_string

DOTTED_PATH_SETTINGS = {
    "EMAIL_BACKEND": (
        "mariohr.E001",
        "An email backend class, e.g. django.core.mail.backends.smtp.EmailBackend.",
    ),
    "MARIOHR_RECORDING_TRANSCRIBER": (
        "mariohr.E002",
        "A function (pcm_path, sample_rate) -> list[Utterance], e.g. "
        "assessments.recordings.transcribe.pocketsphinx_transcribe.",
    ),
}


@register()
def dotted_paths_import(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    for name, (check_id, what) in DOTTED_PATH_SETTINGS.items():
        path = getattr(settings, name)
        try:
            target = import_string(path)
        except Exception as error:  # ImportError, or whatever the module raises on import
            errors.append(
                Error(
                    f"{name} = {path!r} cannot be imported: {error}",
                    hint=f"Set {name} to the dotted path of an existing object. {what}",
                    id=check_id,
                )
            )
            continue
        if not callable(target):
            errors.append(
                Error(
                    f"{name} = {path!r} is not callable.",
                    hint=f"Set {name} to the dotted path of an existing object. {what}",
                    id=check_id,
                )
            )
    return errors
