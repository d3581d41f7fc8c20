from integrations.plugins import AtsAppConfig


class GreenhouseConfig(AtsAppConfig):
    name = "integrations.greenhouse"
    label = "greenhouse"
    verbose_name = "Greenhouse"
    ats_name = "greenhouse"
    ats_label = "Greenhouse-compatible API"

    def ats_ready(self):
        from .delivery import register

        register()

    def seed_demo(self, organization) -> list[str]:
        return [
            "GET /api/greenhouse/list_tests, POST send_test, GET test_status, "
            "POST response_error; Basic auth, the API key as the username."
        ]
