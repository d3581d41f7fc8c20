"""Seeding for benchmarks/scale.py: N interviews with their deliveries, attempts, recordings.

Run by scale.py in a subprocess per database (Django reads DATABASE_URL once per process):

    DATABASE_URL=postgres://... .venv/bin/python benchmarks/scale_seed.py 1000000

The rows go in with COPY in blocks, in proportions a busy customer base would have after two
years: sent_at spread over 730 days; the last week's interviews live (sent or in progress),
older ones complete (80 %), expired, cancelled or waiting for a reviewer; one results PATCH per
completed interview, most delivered at the first attempt, some after a retry, a few failed
for good; a recording for every fourth interview and its recording_ready PATCH. Candidates
are sparse (one per ten interviews); answers and events are left out. Prints one JSON line:
API keys with interviews of their organization to poll, an admin session, seed timings.
"""

import base64
import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ORGANIZATIONS = 20
BLOCK = 50_000
SPAN = timedelta(days=730)
LIVE = timedelta(days=7)
NULL = "\\N"
TABLES = [
    "assessments_candidate",
    "assessments_interview",
    "recordings_recording",
    "delivery_delivery",
    "delivery_deliveryattempt",
]


def token(rng: random.Random, size: int) -> str:
    return base64.urlsafe_b64encode(rng.randbytes(size)).rstrip(b"=").decode()


def stamp(moment: datetime | None) -> str:
    return NULL if moment is None else moment.isoformat()


def tsv(rows: list[tuple]) -> str:
    return "".join("\t".join(map(str, row)) + "\n" for row in rows)


class Ids:
    """Next free primary key per table: rows get explicit ids so children can point at them."""

    def __init__(self, cursor, tables: list[str]):
        self.next = {}
        for table in tables:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
            self.next[table] = cursor.fetchone()[0]

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] += 1
        return value


def interview_fate(rng: random.Random, age: timedelta) -> str:
    if age < LIVE:
        return rng.choice(["sent", "in_progress"])
    roll = rng.random()
    if roll < 0.80:
        return "complete"
    if roll < 0.92:
        return "expired"
    return "cancelled" if roll < 0.98 else "submitted"


def block_rows(rng, ids, first: int, count: int, total: int, now: datetime, tests: list) -> dict:
    """One block of interviews (numbered first..first+count-1 of total) and their children."""
    rows: dict[str, list[tuple]] = {table: [] for table in TABLES}
    candidate_id = organization_id = None
    for number in range(first, first + count):
        sent_at = now - SPAN * (1 - number / total)
        if candidate_id is None or number % 10 == 0:
            organization_id = ORGANIZATIONS_IDS[(number // 10) % ORGANIZATIONS]
            candidate_id = ids.take("assessments_candidate")
            rows["assessments_candidate"].append(
                (candidate_id, "Cand", f"Idate{number}", "", f"c{number}@scale.test", "", "",
                 "", "", "", stamp(sent_at), organization_id)
            )  # fmt: skip
        interview_id = ids.take("assessments_interview")
        status = interview_fate(rng, now - sent_at)
        started = sent_at + timedelta(hours=20) if status != "sent" else None
        if started and started > now:
            started = now
        finished = started + timedelta(hours=2) if status in ("complete", "submitted") else None
        completed = finished + timedelta(days=2) if status == "complete" else None
        expired_at = sent_at + LIVE if status == "expired" else None
        cancelled = sent_at + timedelta(days=1) if status == "cancelled" else None
        changed = completed or finished or expired_at or cancelled or started or sent_at
        test_id, max_score = tests[number % len(tests)]
        score = round(rng.uniform(0, float(max_score)), 2) if completed else NULL
        endpoint = f"https://ats{organization_id}.scale.test"
        callback = f"{endpoint}/take_home_tests/{interview_id}"
        rows["assessments_interview"].append(
            (interview_id, token(rng, 16), token(rng, 24), "greenhouse", callback, "",
             "{}", status, stamp(sent_at), stamp(started), stamp(finished), stamp(completed),
             stamp(completed), stamp(sent_at + LIVE), stamp(cancelled), stamp(changed), score,
             max_score if completed else NULL, "{}", candidate_id, organization_id, test_id,
             NULL, "f", token(rng, 32), "", 1, 0, 0)
        )  # fmt: skip
        recording_id = None
        if number % 4 == 0 and status != "sent":
            recording_id = ids.take("recordings_recording")
            processed = status not in ("in_progress", "cancelled")
            rows["recordings_recording"].append(
                (recording_id, token(rng, 18), "processed" if processed else "receiving",
                 "given", "", stamp(started), stamp(started), 40, 40 * 250_000, stamp(started),
                 NULL, NULL, 1 if processed else 0, stamp(finished) if processed else NULL,
                 "", "", f"recordings/{recording_id}.webm" if processed else "",
                 10_000_000 if processed else NULL, "", 1200.0 if processed else NULL,
                 "webm" if processed else "", "[]", "[]", "", "", interview_id, "[]", NULL)
            )  # fmt: skip
        if completed:
            deliveries = [("status_changed", completed, NULL)]
            if recording_id and status == "complete":
                deliveries.append(("recording_ready", completed, f"recording_ready:{recording_id}"))
            for trigger, created, dedup_key in deliveries:
                delivery = {
                    "organization_id": organization_id,
                    "interview_id": interview_id,
                    "endpoint": endpoint,
                    "callback": callback,
                    "trigger": trigger,
                    "at": created,
                    "dedup_key": dedup_key,
                }
                delivery_rows(rng, ids, rows, delivery)
    return rows


def delivery_rows(rng, ids, rows, d: dict) -> None:
    roll = rng.random()
    status, attempts = ("succeeded", 1) if roll < 0.87 else ("succeeded", 2)
    if roll > 0.97:
        status, attempts = ("failed", 5) if roll < 0.99 else ("stopped", 1)
    delivery_id = ids.take("delivery_delivery")
    at = d["at"]
    last = at + timedelta(minutes=5 * (attempts - 1))
    event = json.dumps({"trigger": d["trigger"], "status": "complete"})
    code = 200 if status == "succeeded" else (410 if status == "stopped" else 503)
    rows["delivery_delivery"].append(
        (delivery_id, "msg_" + token(rng, 18), "results_patch", d["callback"], d["endpoint"],
         "PATCH", "{}", "", event, "", status, attempts, stamp(last), NULL, "", stamp(at), code,
         "" if status == "succeeded" else f"HTTP {code}", "f", stamp(at), stamp(last),
         stamp(last) if status == "succeeded" else NULL, d["interview_id"], d["organization_id"],
         NULL, d["dedup_key"], "")
    )  # fmt: skip
    for number in range(1, attempts + 1):
        ok = number == attempts and status == "succeeded"
        outcome = "success" if ok else ("retry" if number < attempts else status)
        rows["delivery_deliveryattempt"].append(
            (ids.take("delivery_deliveryattempt"), number,
             stamp(at + timedelta(minutes=5 * (number - 1))), 80, 200 if ok else code, outcome,
             "{}" if ok else "busy", "" if ok else f"HTTP {code}", delivery_id, "")
        )  # fmt: skip


ORGANIZATIONS_IDS: list[int] = []


def fixtures() -> dict:
    """Organizations, catalog, one API key per organization, a superuser's admin session."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from assessments import services
    from assessments.demo import demo_catalog_seed
    from assessments.models import Organization
    from integrations.keys import api_key_issue

    tests = demo_catalog_seed()
    for n in range(ORGANIZATIONS - Organization.objects.count()):
        services.organization_create(name=f"Scale {n}", slug=f"scale-{n}")
    organizations = list(Organization.objects.order_by("pk")[:ORGANIZATIONS])
    ORGANIZATIONS_IDS[:] = [o.pk for o in organizations]
    keys = {o.pk: api_key_issue(organization=o, name="scale")[1] for o in organizations}
    user_model = get_user_model()
    user = user_model.objects.filter(username="scale-admin").first()
    user = user or user_model.objects.create_superuser("scale-admin", "a@scale.test", None)
    client = Client()
    client.force_login(user)
    return {
        "tests": [(t.pk, t.max_score) for t in tests],
        "keys": keys,
        "session": client.cookies["sessionid"].value,
    }


def bulk_seed(total: int, tests: list) -> bool:
    from django.db import connection

    from assessments.models import Interview

    start = Interview.objects.count()
    if start >= total:
        return False
    rng = random.Random(total)
    now = datetime.now(UTC)
    with connection.cursor() as cursor:
        ids = Ids(cursor, TABLES)
        for first in range(start, total, BLOCK):
            rows = block_rows(rng, ids, first, min(BLOCK, total - first), total, now, tests)
            for table, table_rows in rows.items():
                with cursor.copy(f"COPY {table} FROM STDIN") as copy:
                    copy.write(tsv(table_rows))
            print(f"  {first + len(rows['assessments_interview']):,} interviews", file=sys.stderr)
        for table in ids.next:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) FROM {table}"  # noqa: S608
            )
    return True


def sample(keys: dict, size: int) -> list[tuple[str, str]]:
    """Interviews spread over the whole table, each with its organization's key."""
    from assessments.models import Interview

    low = Interview.objects.order_by("pk").values_list("pk", flat=True)[:1][0]
    high = Interview.objects.order_by("-pk").values_list("pk", flat=True)[:1][0]
    rng = random.Random(7)
    chosen = rng.sample(range(low, high + 1), min(size, high - low + 1))
    rows = Interview.objects.filter(pk__in=chosen).values_list(
        "partner_interview_id", "organization_id"
    )
    return [(partner_id, keys[organization_id]) for partner_id, organization_id in rows]


def main() -> None:
    total = int(sys.argv[1])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mariohr.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    prepared = fixtures()
    copy_started = time.perf_counter()
    copied_rows = bulk_seed(total, prepared["tests"])
    copied = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    analyzed = time.perf_counter()
    timings = {
        "copy_seconds": round(copied - copy_started, 1),
        "vacuum_analyze_seconds": round(analyzed - copied, 1),
    }
    with connection.cursor() as cursor:
        # Kept with the data, so that a run with --reuse still reports how long seeding took.
        if copied_rows:
            cursor.execute(f"COMMENT ON TABLE assessments_interview IS '{json.dumps(timings)}'")
        cursor.execute("SELECT obj_description('assessments_interview'::regclass)")
        timings = json.loads(cursor.fetchone()[0] or json.dumps(timings))
    print(
        json.dumps(
            {
                "rows": total,
                "copied": copied_rows,
                **timings,
                "total_seconds": round(analyzed - started, 1),
                "session": prepared["session"],
                "polls": sample(prepared["keys"], 500),
                "organization_id": ORGANIZATIONS_IDS[0],
                "table_bytes": table_bytes(),
                "counts": counts(),
            }
        )
    )


def counts() -> dict:
    from assessments.models import Interview
    from assessments.recordings.models import Recording
    from integrations.delivery.models import Delivery, DeliveryAttempt

    return {
        "interviews": Interview.objects.count(),
        "deliveries": Delivery.objects.count(),
        "attempts": DeliveryAttempt.objects.count(),
        "recordings": Recording.objects.count(),
    }


def table_bytes() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return cursor.fetchone()[0]


if __name__ == "__main__":
    main()
