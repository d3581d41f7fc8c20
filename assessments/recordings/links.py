"""Expiring links to a processed recording: presigned S3 GETs, or signed Django URLs."""

import time

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.urls import reverse

SIGNING_SALT = "mariohr.recordings.download"


def s3_client_and_bucket(storage):
    """The storage's own boto3 client and bucket, or None when storage is not S3."""
    from storages.backends.s3 import S3Storage

    if not isinstance(storage, S3Storage):
        return None
    return storage.connection.meta.client, storage.bucket_name


def storage_object_key(storage, name: str) -> str:
    location = getattr(storage, "location", "").strip("/")
    return f"{location}/{name}" if location else name


def link_create(*, storage_key: str, file_name: str, ttl_seconds: int | None = None) -> str:
    ttl = min(ttl_seconds or settings.MARIOHR_RECORDING_URL_TTL, 7 * 24 * 3600)
    s3 = s3_client_and_bucket(default_storage)
    if s3 is not None:
        client, bucket = s3
        return client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": bucket,
                "Key": storage_object_key(default_storage, file_name),
                "ResponseContentType": "video/webm",
            },
            ExpiresIn=ttl,
        )
    token = signing.dumps({"k": storage_key, "e": int(time.time()) + ttl}, salt=SIGNING_SALT)
    return settings.MARIOHR_BASE_URL + reverse("recordings:download", args=[token])


class LinkExpired(Exception):
    pass


def link_storage_key(token: str) -> str:
    """The storage_key a signed local link grants; raises BadSignature or LinkExpired."""
    payload = signing.loads(token, salt=SIGNING_SALT)
    if int(payload["e"]) < time.time():
        raise LinkExpired
    return str(payload["k"])
