"""ATS plug-ins: each ATS is a Django app under integrations/<ats>/ whose AppConfig
subclasses AtsAppConfig. Installing the app is all it takes: its URLs are mounted at
/api/<ats_name>/ (integrations/urls.py), its name becomes an interview source, its error
envelope answers for its paths, and ``ats_ready`` registers its delivery kinds."""

from django.apps import AppConfig, apps
from django.urls import NoReverseMatch, reverse

from assessments.sources import source_register
from mariohr.api_errors import envelope_register, error_body


class AtsAppConfig(AppConfig):
    # URL prefix /api/<ats_name>/, Interview.source value and OpenAPI tag.
    ats_name: str = ""
    # The ATS's name as people read it (admin filters, OpenAPI).
    ats_label: str = ""
    # The delivery kind whose interpret_response judges the answer to sample_request.
    sample_kind: str = ""

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

    def settings_admin_url(self, organization) -> str | None:
        """Where an account manager sets what this ATS needs from ``organization`` (its
        credentials): the health page links here from "set them here". By default the core's
        integration settings (the signing secret every outbound call carries)."""
        return settings_row_admin_url(
            apps.get_model("integrations", "IntegrationSettings"), organization
        )

    def configured_targets(self, organization) -> list[str]:
        """URLs this ATS's real deliveries go to by the organization's own settings (not an
        address the ATS gave with an interview): a test callback may carry the stored
        credentials there, as to any address real deliveries already went to."""
        return []

    def sandbox_configure(self, organization, receiver_url: str) -> list[str]:
        """Set up the sandbox twin ``organization`` so this ATS's updates go to its built-in
        receiver (``receiver_url``, ending in "/") with no admin step: credentials of the
        sandbox's own where this ATS needs some. Runs at every twin creation, so it sets only
        what is missing and never overwrites what someone chose. Returns what it set, in
        lines for the operator. By default nothing: the ATS names the URL with each call."""
        return []

    def sample_request(self, organization, url: str):
        """A sample results call to ``url`` for the admin's "Send a test callback": the
        ``kinds.OutboundRequest`` this ATS's delivery would send for a scored interview, with
        the organization's credentials, its body marked as a test (SAMPLE_NOTE). Raises
        ``kinds.CredentialsMissing`` when the credentials are not set or may not go to ``url``.
        """
        raise NotImplementedError(f"{self.ats_label} has no sample results call.")


# What every sample results call says about itself, so a receiver's log cannot mistake it.
SAMPLE_PARTNER_INTERVIEW_ID = "mariohr-test-callback"
SAMPLE_NOTE = "MarioHR test callback: sample data, no candidate, do not store as a result."


def settings_row_admin_url(model, organization) -> str | None:
    """The admin page of ``organization``'s row of a per-organization settings ``model``, or
    its add form with the organization chosen; None when the model has no admin."""
    opts = model._meta
    row_id = model.objects.filter(organization=organization).values_list("pk", flat=True).first()
    try:
        if row_id is not None:
            return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row_id])
        add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    except NoReverseMatch:
        return None
    return f"{add}?organization={organization.pk}"


def all_ats() -> list[AtsAppConfig]:
    return [config for config in apps.get_app_configs() if isinstance(config, AtsAppConfig)]


def get(ats_name: str) -> AtsAppConfig:
    for config in all_ats():
        if config.ats_name == ats_name:
            return config
    raise LookupError(f"No ATS plug-in named {ats_name!r} is installed.")
