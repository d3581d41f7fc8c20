"""How captured calls cross the broker: raw, so the web process neither parses nor redacts,
and sealed, so the broker never holds a readable body, query or candidate detail.

A batch is one Fernet token (MARIOHR_FERNET_KEYS, the keys of the secrets at rest) over the
zlib-compressed rows: the JSON of their small fields, a newline, then their raw bodies end to
end (a row says each body's length). Redis may persist to disk, be a shared or managed
service, or show a message in a monitoring tool; a sealed batch there is an opaque string.
The worker opens it, redacts (redaction.py) and writes: nothing unredacted reaches the
database. Headers are never captured, so the Authorization header is in no batch.

Measured on the web side, per row: escaping bodies inside JSON (or base64-ing them) and
encrypting and publishing them uncompressed cost several times what compressing the
concatenated bytes does; bodies of one batch resemble each other.

In a row, a body is ``["raw", length]`` (bytes up to MARIOHR_REQUEST_LOG_MAX_BODY_BYTES) or
``["kept", json]`` when the web process already redacted it (over the cap, or too large to
log; rare). ``batch_open`` gives raw bodies back as bytes.
"""

import json
import zlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from assessments.crypto import fernet_keys

RAW = "raw"
KEPT = "kept"


def batch_seal(*, database: str, rows: list[dict]) -> dict:
    """``rows``: dicts whose "request" and "response" are bytes (raw) or ``body_kept(...)``."""
    bodies = []
    for row in rows:
        for part in ("request", "response"):
            body = row[part]
            if isinstance(body, bytes):
                bodies.append(body)
                row[part] = [RAW, len(body)]
    plain = json.dumps(rows).encode() + b"\n" + b"".join(bodies)
    return {"database": database, "sealed": _fernet().encrypt(zlib.compress(plain, 1)).decode()}


def batch_open(batch: dict) -> list[dict]:
    """The rows of a sealed batch, raw bodies as bytes; ValueError when no configured key
    opens it."""
    try:
        plain = zlib.decompress(_fernet().decrypt(batch["sealed"].encode()))
    except InvalidToken:
        raise ValueError("no MARIOHR_FERNET_KEYS key opens this batch") from None
    head, _, bodies = plain.partition(b"\n")
    rows, offset = json.loads(head), 0
    for row in rows:
        for part in ("request", "response"):
            kind, value = row[part]
            if kind == RAW:
                row[part] = bodies[offset : offset + value]
                offset += value
    return rows


def body_kept(stored) -> list:
    return [KEPT, stored]


def body_bytes(body) -> tuple[bytes | None, object]:
    """(raw bytes, None) for a raw body, (None, stored JSON) for one already redacted."""
    if isinstance(body, bytes):
        return body, None
    kind, value = body
    if kind != KEPT:
        raise ValueError(f"unknown body kind {kind!r}")
    return None, value


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in fernet_keys()])
