"""Benchmark: results deliveries per second, scored → received latency, and scale-out.

Runs standalone on a throwaway database (SQLite, or with ``--postgres`` a PostgreSQL database
created and dropped on that server) and, unless CELERY_BROKER_URL says otherwise, a throwaway
filesystem broker; real Celery worker processes send to a local HTTPS receiver.

Default mode: rounds alternate between the baseline, plain ``requests.patch`` calls from one
process sending the same PATCH bodies to the same receiver, and the engine sending a batch of
results PATCHes (scored in one transaction); the ratio is of the medians.

    .venv/bin/python benchmarks/delivery.py
    CELERY_BROKER_URL=redis://127.0.0.1:6379/6 .venv/bin/python benchmarks/delivery.py --postgres

``--scale-out`` (PostgreSQL and Redis): a receiver that takes 200 ms per answer, one
``celery worker`` with 1, 2 and 4 prefork processes in turn, and every ``webhook-id`` counted
(exactly once, or the exit code is 1); then two web processes (gunicorn, two ports) taking
``send_test`` and two separate beat-free workers, all on one database and one broker.

    CELERY_BROKER_URL=redis://127.0.0.1:6379/6 .venv/bin/python benchmarks/delivery.py \
        --postgres --scale-out

``--quick`` is the CI smoke run (a few deliveries; 1 and 2 workers with ``--scale-out``).
Every run but ``--quick`` writes its section of benchmarks/results.md.
"""

import argparse
import base64
import http.client
import json
import os
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from common import free_port, gunicorn_wait_ready, results_section_write

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_DEFAULT = "postgres://postgres@127.0.0.1:5432"
sys.path.insert(0, str(ROOT))


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    delay = 0.0  # seconds each answer takes (the scale-out receiver: 0.2)
    received: dict = {}  # partner_interview_id -> when its first PATCH was answered
    webhook_ids: Counter = Counter()
    lock = threading.Lock()

    def do_PATCH(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.delay:
            time.sleep(self.delay)
        key = json.loads(body).get("partner_interview_id") if body else None
        now = time.time()
        with self.lock:
            self.received.setdefault(key, now)
            if self.headers.get("webhook-id"):
                self.webhook_ids[self.headers["webhook-id"]] += 1
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def start_receiver(workdir: Path):
    import trustme

    ca = trustme.CA()
    ca_file = workdir / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(context)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.daemon_threads = True
    server.request_queue_size = 128
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, str(ca_file)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def throwaway_postgres(server_url: str, name: str, *, drop: bool = False) -> str:
    import psycopg

    with psycopg.connect(server_url.rstrip("/") + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not drop:
            connection.execute(f'CREATE DATABASE "{name}"')
    return f"{server_url.rstrip('/')}/{name}"


def wait_received(keys: list[str], timeout: float) -> None:
    deadline = time.time() + timeout
    while not all(k in Receiver.received for k in keys) and time.time() < deadline:
        time.sleep(0.02)
    missing = [k for k in keys if k not in Receiver.received]
    if missing:
        raise SystemExit(f"{len(missing)} of {len(keys)} deliveries did not arrive")


def worker(queue: str, log: Path, *, concurrency: int, name: str) -> subprocess.Popen:
    """A real ``celery -A mariohr worker`` (prefork, beat-free) on the benchmark's queue."""
    command = [
        sys.executable, "-m", "celery", "-A", "mariohr", "worker", "-Q", queue,
        "--pool", "prefork", "--concurrency", str(concurrency), "--hostname", f"{name}@bench",
        "--without-gossip", "--without-mingle", "--loglevel", "INFO",
    ]  # fmt: skip
    out = log.open("ab")
    return subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), stdout=out, stderr=out)  # noqa: S603


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


class Bench:
    """The product's side: a throwaway organization, interviews and scoring."""

    def __init__(self, url: str):
        from assessments import services as lifecycle
        from assessments.demo import demo_catalog_seed
        from integrations.greenhouse.credentials import outbound_credentials_set

        self.lifecycle = lifecycle
        self.url = url
        self.test = demo_catalog_seed()[0]
        self.organization = lifecycle.organization_create(name="Bench", slug="bench")
        outbound_credentials_set(organization=self.organization, username="bench", password="pw")
        self.counter = 0

    def submitted(self, count: int) -> list:

        interviews = []
        for _ in range(count):
            self.counter += 1
            interview, _ = self.lifecycle.interview_send(
                organization=self.organization,
                test=self.test,
                candidate=self.lifecycle.CandidateData(
                    first_name="B", last_name=str(self.counter), email="b@x.test"
                ),
                source="greenhouse",
                callback_url=f"{self.url}?n={self.counter}",
            )
            interview = self.lifecycle.interview_start(interview=interview)
            interviews.append(self.lifecycle.interview_submit(interview=interview))
        return interviews

    def score_batch(self, interviews: list) -> float:
        """Score in one transaction (as a bulk admin action would); returns the commit time:
        every delivery exists then, so the clock measures the engine, not this process."""
        from decimal import Decimal

        from django.db import transaction

        committed = []
        with transaction.atomic():
            transaction.on_commit(lambda: committed.append(time.time()))
            transaction.on_commit(lambda: setattr(self, "committed_cpu", time.process_time()))
            for interview in interviews:
                self.lifecycle.interview_score(interview=interview, score=Decimal("80"))
        return committed[0]

    def warm_up(self) -> None:
        (interview,) = self.submitted(1)
        self.score_batch([interview])
        wait_received([interview.partner_interview_id], 90)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (Linux /proc; 0 elsewhere)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(cpu_seconds(int(child)) for child in children)


def database_cpu_seconds() -> float:
    """CPU of the PostgreSQL backends serving the benchmark's database (a local server)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        )
        return sum(cpu_seconds(pid) for (pid,) in cursor.fetchall())


class CpuMeter:
    """CPU spent per delivery: this process (the baseline's client, the receiver), the
    worker processes, PostgreSQL. Load on the machine stretches wall time, not these."""

    def __init__(self, workers: list[subprocess.Popen]):
        self.workers = workers
        self.totals = Counter()

    def __enter__(self):
        self.start = self.sample()
        return self

    def __exit__(self, *exc_info):
        for part, value in self.sample().items():
            self.totals[part] += value - self.start[part]

    def sample(self) -> dict:
        return {
            "this process": time.process_time(),
            "workers": sum(cpu_seconds(w.pid) for w in self.workers),
            "PostgreSQL": database_cpu_seconds(),
        }

    def per_delivery(self, count: int) -> str:
        parts = {k: v * 1000 / count for k, v in self.totals.items() if v}
        detail = ", ".join(f"{k} {v:.1f}" for k, v in parts.items())
        return f"{sum(parts.values()):.1f} ms ({detail})"


def baseline(url: str, bodies: list[dict], ca_file: str) -> tuple[float, list[float]]:
    import requests

    latencies = []
    started = time.perf_counter()
    for body in bodies:
        sent = time.perf_counter()
        requests.patch(
            url, json=body, auth=("bench", "pw"), verify=ca_file, timeout=15
        ).raise_for_status()
        latencies.append(time.perf_counter() - sent)
    return len(bodies) / (time.perf_counter() - started), latencies


def throughput(args, bench: Bench, ca_file: str, queue: str, workdir: Path) -> str:
    from integrations.greenhouse.payloads import results_patch_payload

    batches = [bench.submitted(args.count) for _ in range(args.rounds)]
    paced = bench.submitted(args.paced)
    workers = [worker(queue, workdir / "worker.log", concurrency=args.concurrency, name="w")]
    try:
        bench.warm_up()
        # The baseline sends what the engine sends: results PATCH bodies of scored interviews.
        sample = bench.submitted(1)
        bench.score_batch(sample)
        sample[0].refresh_from_db()
        bodies = [results_patch_payload(sample[0])] * args.count
        base_rounds, engine_rounds, engine_latencies, base_latencies = [], [], [], []
        base_cpu, engine_cpu = CpuMeter(workers), CpuMeter(workers)
        for batch in batches:  # alternating, so background load hits both alike
            with base_cpu:
                rate, latencies = baseline(bench.url, bodies, ca_file)
            base_rounds.append(rate)
            base_latencies += latencies
            keys = [interview.partner_interview_id for interview in batch]
            with engine_cpu:
                scoring = time.process_time()
                started = bench.score_batch(batch)
                # Scoring is the product's work, not the engine's (its enqueues stay in).
                engine_cpu.totals["this process"] -= bench.committed_cpu - scoring
                wait_received(keys, 300)
            finished = max(Receiver.received[k] for k in keys)
            engine_rounds.append(len(keys) / (finished - started))
            engine_latencies += [Receiver.received[k] - started for k in keys]

        # One at a time: the latency a single scored interview sees, without a backlog.
        paced_latencies = []
        for interview in paced:
            scored = bench.score_batch([interview])
            wait_received([interview.partner_interview_id], 30)
            paced_latencies.append(Receiver.received[interview.partner_interview_id] - scored)
    finally:
        stop(workers)

    def row(name, per_second, values):
        p50, p99 = percentile(values, 0.5) * 1000, percentile(values, 0.99) * 1000
        return f"{name:<36} {per_second:>10.1f} {p50:>10.1f} {p99:>10.1f}"

    base_rate, engine_rate = statistics.median(base_rounds), statistics.median(engine_rounds)
    lines = [
        f"{header(args)}; {args.count} deliveries x {args.rounds} rounds (alternating); "
        f"{args.concurrency} worker processes",
        f"{'':<36} {'per second':>10} {'p50 ms':>10} {'p99 ms':>10}",
        row("baseline: requests.patch, 1 proc", base_rate, base_latencies)
        + f"  (rounds: {', '.join(f'{r:.0f}' for r in base_rounds)})",
        row("engine: batch, commit -> received", engine_rate, engine_latencies)
        + f"  (rounds: {', '.join(f'{r:.0f}' for r in engine_rounds)})",
    ]
    if paced_latencies:
        paced_rate = len(paced_latencies) / sum(paced_latencies)
        lines.append(row("engine: one at a time", paced_rate, paced_latencies))
    ratios = ", ".join(f"{e / b:.2f}" for e, b in zip(engine_rounds, base_rounds, strict=True))
    lines.append(
        f"throughput ratio engine/baseline (medians): {engine_rate / base_rate:.2f}"
        f"  (per round: {ratios}; target >= 0.80)"
    )
    delivered = args.count * args.rounds
    lines.append(f"CPU per delivery, baseline: {base_cpu.per_delivery(delivered)}")
    lines.append(
        f"CPU per delivery, engine: {engine_cpu.per_delivery(delivered)}; "
        "'this process': the receiver, the enqueues; Redis not counted"
    )
    lines.append(f"queries per successful attempt: {attempt_queries(bench, ca_file)}")
    if paced_latencies:
        median = statistics.median(paced_latencies)
        lines.append(f"median latency one at a time under 100 ms: {median < 0.1}")
    return "\n".join(lines)


def attempt_queries(bench: Bench, ca_file: str) -> int:
    """One attempt run in this process, its statements counted (transaction control aside:
    PostgreSQL's BEGIN and COMMIT are not logged, SQLite's are)."""
    from decimal import Decimal

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from integrations.delivery.models import Delivery
    from integrations.delivery.services import delivery_attempt

    (interview,) = bench.submitted(1)
    bench.lifecycle.interview_score(interview=interview, score=Decimal("80"))
    delivery = Delivery.objects.get(interview=interview)
    assert connection.features.supports_json_field  # SQLite checks this once per connection
    # No worker listens here: the on-commit enqueue went to the queue; the attempt is ours.
    with CaptureQueriesContext(connection) as captured:
        attempt = delivery_attempt(delivery_id=delivery.pk)
    if attempt is None:
        return -1  # a worker took it first
    control = {"BEGIN", "BEGIN IMMEDIATE", "COMMIT"}
    return sum(1 for q in captured.captured_queries if q["sql"] not in control)


def exactly_once(expected: set[str]) -> tuple[bool, str]:
    with Receiver.lock:
        counts = {wid: Receiver.webhook_ids.get(wid, 0) for wid in expected}
    missing = sum(1 for c in counts.values() if c == 0)
    duplicates = sum(c - 1 for c in counts.values() if c > 1)
    ok = not missing and not duplicates
    return ok, f"{len(expected)} webhook-ids: {missing} missing, {duplicates} duplicates"


def webhook_ids_of(interviews) -> set[str]:
    from integrations.delivery.models import Delivery

    ids = [i.pk for i in interviews]
    return set(Delivery.objects.filter(interview_id__in=ids).values_list("webhook_id", flat=True))


def scale_out(args, bench: Bench, ca_file: str, queue: str, workdir: Path) -> tuple[str, bool]:
    Receiver.delay = args.delay
    levels = [1, 2] if args.quick else [1, 2, 4]
    lines = [
        f"{header(args)}; receiver answers in {args.delay * 1000:.0f} ms; "
        f"{args.deliveries} deliveries per run",
        f"{'worker processes':<18} {'seconds':>8} {'per second':>10} {'vs 1':>6}  exactly once",
    ]
    all_ok, rates = True, {}
    webs = web_processes(workdir)  # booting while the worker runs go
    try:
        for level in levels:
            batch = bench.submitted(args.deliveries)
            workers = [
                worker(queue, workdir / f"worker-{level}.log", concurrency=level, name=f"w{level}")
            ]
            try:
                bench.warm_up()
                started = bench.score_batch(batch)
                keys = [interview.partner_interview_id for interview in batch]
                wait_received(keys, 120 + args.deliveries * args.delay * 2)
                finished = max(Receiver.received[k] for k in keys)
                time.sleep(1)  # a duplicate would arrive now
            finally:
                stop(workers)
            rates[level] = len(keys) / (finished - started)
            ok, counts = exactly_once(webhook_ids_of(batch))
            all_ok &= ok
            lines.append(
                f"{level:<18} {finished - started:>8.2f} {rates[level]:>10.2f} "
                f"{rates[level] / rates[1]:>5.2f}x  {'yes' if ok else 'NO'} ({counts})"
            )
        top = max(levels)
        target = 3.0 if top == 4 else 1.6
        lines.append(
            f"scale-out 1 -> {top} processes: {rates[top] / rates[1]:.2f}x (target >= {target:g}x)"
        )
        text, ok = two_web_two_workers(args, bench, queue, workdir, webs)
    finally:
        stop(list(webs.values()))
    return "\n".join(lines) + "\n\n" + text, all_ok and ok


def web_processes(workdir: Path) -> dict[int, subprocess.Popen]:
    """Two gunicorn processes (one sync worker each) on two ports, the product's settings."""
    env = {
        **os.environ,
        "MARIOHR_PLAIN_STATIC": "true",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "false",
        "LOG_LEVEL": "ERROR",
    }
    webs = {}
    for port in (free_port(), free_port()):
        log = (workdir / f"gunicorn-{port}.log").open("wb")
        command = [
            str(Path(sys.executable).with_name("gunicorn")), "mariohr.wsgi",
            "--bind", f"127.0.0.1:{port}", "--workers", "1",
        ]  # fmt: skip
        webs[port] = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)  # noqa: S603
    return webs


def two_web_two_workers(
    args, bench: Bench, queue: str, workdir: Path, webs: dict[int, subprocess.Popen]
) -> tuple[str, bool]:
    """Two web processes take send_test; two separate beat-free workers send the results;
    one database and one broker."""
    from assessments.models import Interview
    from integrations.keys import api_key_issue

    _, raw_key = api_key_issue(organization=bench.organization)
    auth = "Basic " + base64.b64encode(f"{raw_key}:".encode()).decode()
    ports = list(webs)
    logs = [workdir / "worker-a.log", workdir / "worker-b.log"]
    workers = [
        worker(queue, logs[0], concurrency=1, name="a"),
        worker(queue, logs[1], concurrency=1, name="b"),
    ]
    try:
        for port, web in webs.items():
            gunicorn_wait_ready(port, web)
        bench.warm_up()
        partner_ids = []
        for n in range(args.deliveries):
            port = ports[n % 2]
            body = {
                "partner_test_id": bench.test.partner_test_id,
                "candidate": {
                    "first_name": "W",
                    "last_name": str(n),
                    "email": "w@x.test",
                    "greenhouse_profile_url": "https://app.greenhouse.io/people/1",
                },
                "url": f"{bench.url}?web={n}",
            }
            answer = post_json(port, "/api/greenhouse/send_test", body, auth)
            partner_ids.append(answer["partner_interview_id"])
        interviews = []
        for interview in Interview.objects.filter(partner_interview_id__in=partner_ids):
            interview = bench.lifecycle.interview_start(interview=interview)
            interviews.append(bench.lifecycle.interview_submit(interview=interview))
        started = bench.score_batch(interviews)
        wait_received(partner_ids, 120 + args.deliveries * args.delay * 2)
        finished = max(Receiver.received[k] for k in partner_ids)
        time.sleep(1)
    finally:
        stop(workers + list(webs.values()))
    ok, counts = exactly_once(webhook_ids_of(interviews))
    # Each worker logs every task it ran; the warm-up delivery is one of them.
    ran = [log.read_text().count("succeeded in") for log in logs]
    both = all(ran)
    rate = len(partner_ids) / (finished - started)
    text = (
        f"two web processes (ports {ports[0]}, {ports[1]}) took {len(partner_ids)} send_test "
        f"calls; two workers sent the results: {rate:.2f}/s, tasks per worker {ran[0]} and "
        f"{ran[1]}; exactly once: {'yes' if ok else 'NO'} ({counts})"
    )
    return text, ok and both


def post_json(port: int, path: str, body: dict, auth: str) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {
        "Authorization": auth,
        "Content-Type": "application/json",
        "X-Forwarded-Proto": "https",
    }
    connection.request("POST", path, json.dumps(body), headers)
    response = connection.getresponse()
    data = response.read()
    if response.status != 200:
        raise SystemExit(f"{path} on :{port} answered {response.status}: {data[:500]!r}")
    return json.loads(data)


def header(args) -> str:
    database = "PostgreSQL" if args.postgres else "SQLite"
    broker = os.environ.get("CELERY_BROKER_URL", "filesystem (default)").split("://")[0]
    return f"{database} + {broker}; {os.cpu_count()} CPUs; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"


def results_write(section: str, title: str, text: str) -> None:
    results_section_write(f"delivery {section}", f"### {title}\n\n```\n{text}\n```\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="deliveries per engine round")
    parser.add_argument("--rounds", type=int, default=3, help="baseline/engine rounds")
    parser.add_argument("--concurrency", type=int, default=os.cpu_count(), help="worker processes")
    parser.add_argument("--postgres", nargs="?", const=POSTGRES_DEFAULT, help="server URL")
    parser.add_argument(
        "--paced", type=int, default=50, help="deliveries scored one at a time, for latency"
    )
    parser.add_argument("--scale-out", action="store_true", help="1/2/4 workers, 200 ms receiver")
    parser.add_argument("--deliveries", type=int, default=80, help="per scale-out run")
    parser.add_argument("--delay", type=float, default=0.2, help="scale-out receiver's answer")
    parser.add_argument("--quick", action="store_true", help="a tiny run (CI)")
    args = parser.parse_args()
    if args.quick:
        args.count, args.rounds, args.paced, args.deliveries = 10, 1, 3, 8
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if args.scale_out and not (args.postgres and broker.startswith("redis")):
        raise SystemExit("--scale-out needs --postgres and CELERY_BROKER_URL=redis://...")

    workdir = Path(tempfile.mkdtemp(prefix="mariohr-bench-"))
    server, ca_file = start_receiver(workdir)
    queue = f"delivery-bench-{uuid.uuid4().hex[:8]}"
    database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    if args.postgres:
        database_url = throwaway_postgres(args.postgres, f"mariohr_bench_{queue[-8:]}")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="mariohr.settings",
        MARIOHR_VAR_DIR=str(workdir),
        DATABASE_URL=database_url,
        MARIOHR_CALLBACK_ALLOWLIST="localhost",
        MARIOHR_DELIVERY_QUEUE=queue,
        REQUESTS_CA_BUNDLE=ca_file,
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    ok = True
    try:
        bench = Bench(f"https://localhost:{server.server_address[1]}/callback")
        if args.scale_out:
            text, ok = scale_out(args, bench, ca_file, queue, workdir)
            section, title = "scale-out", "Delivery scale-out: workers, exactly once"
        else:
            text = throughput(args, bench, ca_file, queue, workdir)
            section = "postgres" if args.postgres else "sqlite"
            title = f"Delivery throughput vs requests ({section})"
    finally:
        server.shutdown()
        if args.postgres:
            from django.db import connections

            connections.close_all()
            throwaway_postgres(args.postgres, database_url.rsplit("/", 1)[1], drop=True)
    print(text)
    if not args.quick:
        results_write(section, title, text)
    if not ok:
        raise SystemExit("FAILED: a callback was missed or received twice")


if __name__ == "__main__":
    main()
