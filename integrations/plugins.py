"""ATS plug-ins: each ATS is a Django app under integrations/<ats>/ whose AppConfig
subclasses AtsAppConfig. Installing the app is all it takes: its URLs are mounted at
/api/<ats_name>/ (integrations/urls.py), its name becomes an interview source, its error
envelope answers for its paths, and ``ats_ready`` registers its delivery kinds."""

from django.apps import AppConfig, apps

from assessments.sources import source_register
from mariohr.api_errors import envelope_register, error_body


class AtsAppConfig(AppConfig):
    # URL prefix /api/<ats_name>/, Interview.source value and OpenAPI tag.
    ats_name: str = ""
    # The ATS's name as people read it (admin filters, OpenAPI).
    ats_label: str = ""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # apps.py imports this base class too: mark the plug-in's own class as the one Django
        # picks for "integrations.<ats>" in INSTALLED_APPS.
        cls.default = True

    @property
    def urls_module(self) -> str:
        return f"{self.name}.urls"

    def ready(self):
        if not self.ats_name or not self.ats_label:
            raise TypeError(f"{type(self).__name__} must set ats_name and ats_label.")
        source_register(self.ats_name, self.ats_label)
        envelope_register(f"/api/{self.ats_name}/", self.error_body)
        self.ats_ready()

    def ats_ready(self) -> None:
        """Register delivery kinds and connect signal receivers."""

    def error_body(self, status_code: int, code: str, message: str) -> dict:
        """The envelope for errors raised outside this ATS's views (unknown path, unreadable
        body); its views reshape their own errors (see integrations/errors.py)."""
        return error_body(code, message)

    def seed_demo(self, organization) -> list[str]:
        """Demo data for `manage.py seed_demo`; returns lines to print."""
        return []


def all_ats() -> list[AtsAppConfig]:
    return [config for config in apps.get_app_configs() if isinstance(config, AtsAppConfig)]


def get(ats_name: str) -> AtsAppConfig:
    for config in all_ats():
        if config.ats_name == ats_name:
            return config
    raise LookupError(f"No ATS plug-in named {ats_name!r} is installed.")
