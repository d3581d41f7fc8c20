"""Content-Security-Policy: django-csp's middleware, with the media storage's origin.

The policy itself is settings.CONTENT_SECURITY_POLICY. Recordings play from presigned S3
links whose origin depends on the bucket, region, endpoint and addressing style; rather than
re-deriving boto3's rules (or allowing every https: origin), ask the storage for a link and
allow exactly its origin in media-src. Local storage plays through our own signed links
('self').
"""

import logging
from dataclasses import asdict
from urllib.parse import urlsplit

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver

logger = logging.getLogger(__name__)
_media_origin: dict[str, str | None] = {}
# The headers of a response no view customized and no page took a nonce for: they depend on
# settings only, so they are built once per process (django-csp rebuilds them every time).
_default_headers: dict[str, list[tuple[str, str, str, str]]] = {}
# What a view or decorator may set on a response to change its policy.
VIEW_POLICY_ATTRIBUTES = tuple(
    f"_csp_{kind}{suffix}" for kind in ("config", "update", "replace") for suffix in ("", "_ro")
)


def media_storage_origin() -> str | None:
    """The origin of links to the default storage's files; None when they are ours."""
    if "origin" not in _media_origin:
        storage = storages["default"]
        if isinstance(storage, FileSystemStorage):
            origin = None
        else:
            try:
                # Built locally (a presigned URL is a signature, not a request).
                parts = urlsplit(storage.url("recordings/csp-origin"))
                origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else None
            except Exception:
                # No credentials yet, say: pages must still render; no link can play either.
                logger.exception("No media origin for the Content-Security-Policy")
                origin = None
        _media_origin["origin"] = origin
    return _media_origin["origin"]


@receiver(setting_changed)
def _forget_media_origin(*, setting, **kwargs):
    if setting in ("STORAGES", "DEFAULT_FILE_STORAGE"):
        _media_origin.clear()
    if setting.startswith("CONTENT_SECURITY_POLICY") or setting in ("STORAGES", "DEBUG"):
        _default_headers.clear()


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        origin = media_storage_origin()
        if origin:
            update = dict(parts.update or {})
            existing = update.get("media-src") or []
            existing = [existing] if isinstance(existing, str) else list(existing)
            update["media-src"] = [*existing, origin]
            parts.update = update
        return parts

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            hasattr(response, name) for name in VIEW_POLICY_ATTRIBUTES
        ):
            return super().process_response(request, response)
        if response.status_code in (404, 500) and settings.DEBUG:
            return response
        for header, policy, exempt_attribute, setting in self._default_headers(request, response):
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            if (
                header not in response
                and not getattr(response, exempt_attribute, False)
                and not request.path_info.startswith(tuple(prefixes))
            ):
                response[header] = policy
        # As django-csp does: a nonce asked for after the header was written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    def _default_headers(self, request, response) -> list[tuple[str, str, str, str]]:
        if "headers" not in _default_headers:
            headers = []
            for report_only, header, exempt, setting in (
                (False, HEADER, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
                (True, HEADER_REPORT_ONLY, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
            ):
                parts = self.get_policy_parts(request, response, report_only=report_only)
                policy = build_policy(**asdict(parts), report_only=report_only)
                if policy:
                    headers.append((header, policy, exempt, setting))
            _default_headers["headers"] = headers
        return _default_headers["headers"]
