"""The benchmark's baseline: a bare Django app serving the partner API's three hottest calls.

No DRF and no middleware; the same database settings, the same key lookup
(``integrations.keys.api_key_authenticate``: one indexed query, constant-time compare) and
the same single indexed interview read (``integrations.services.interview_for_status``), so
``benchmarks/api.py`` measures what the product's stack adds around the same queries.
Never deployed: only ``benchmarks/api.py`` starts it, under gunicorn like the product.
"""
