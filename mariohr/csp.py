"""Content-Security-Policy: django-csp's middleware, with the media storage's origin.

The policy itself is settings.CONTENT_SECURITY_POLICY. Recordings play from presigned S3
links whose origin depends on the bucket, region, endpoint and addressing style; rather than
re-deriving boto3's rules (or allowing every https: origin), ask the storage for a link and
allow exactly its origin in media-src. Local storage plays through our own signed links
('self').
"""

import logging
from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver

logger = logging.getLogger(__name__)
_media_origin: dict[str, str | None] = {}


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
