"""Deployment settings of the Recruitee partner: one registration serves every customer.

Recruitee issues one partner secret per environment (RC, production) for the whole partner,
so it is deployment configuration, not customer data: a leak would expose every customer,
and it stays out of the database (an organization's own registration, if it has one, is
the exception: RecruiteeSettings). Read from Django settings, else the environment, so the
plug-in needs no line in the project's settings.py.
"""

import os

from django.conf import settings

PRODUCTION_API = "https://integrations.recruitee.com/api"
RC_API = "https://integrations.rc.recruitee.dev/api"
# The only hosts the report PATCH may go to (plus MARIOHR_CALLBACK_ALLOWLIST in development):
# we compose the URL ourselves, so the SSRF check is an allow-list.
API_HOSTS = frozenset({"integrations.recruitee.com", "integrations.rc.recruitee.dev"})


def _setting(name: str, default: str = "") -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return str(value).strip()


def partner_secret() -> str:
    return _setting("MARIOHR_RECRUITEE_PARTNER_SECRET")


def codename() -> str:
    return _setting("MARIOHR_RECRUITEE_CODENAME")


def api_base() -> str:
    return _setting("MARIOHR_RECRUITEE_API_BASE", PRODUCTION_API).rstrip("/")


def report_link_key() -> str:
    """The ``urls`` key that carries our report link in the report PATCH. Unconfirmed in
    Recruitee's docs (only ``urls.cancel`` is): an empty value leaves the link out."""
    return _setting("MARIOHR_RECRUITEE_REPORT_LINK_KEY", "report")
