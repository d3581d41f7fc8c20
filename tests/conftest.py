import pytest


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Pages render without a prior collectstatic: the manifest storage used in production
    needs staticfiles.json, which only `collectstatic` (run by `make run`) writes."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
