from integrations.plugins import AtsAppConfig, settings_row_admin_url


class GreenhouseConfig(AtsAppConfig):
    name = "integrations.greenhouse"
    label = "greenhouse"
    verbose_name = "Greenhouse"
    ats_name = "greenhouse"
    ats_label = "Greenhouse-compatible API"
    sample_kind = "results_patch"

    def settings_admin_url(self, organization) -> str | None:
        return settings_row_admin_url(self.get_model("GreenhouseSettings"), organization)

    def ats_ready(self):
        from .delivery import register

        register()

    def sample_request(self, organization, url: str):
        from .sample import sample_request

        return sample_request(organization, url)

    def seed_demo(self, organization) -> list[str]:
        return [
            "GET /api/greenhouse/list_tests, POST send_test, GET test_status, "
            "POST response_error; Basic auth, the API key as the username."
        ]
