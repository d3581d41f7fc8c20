"""Benchmark: partner-API throughput and latency under gunicorn, abuse limits on against off.

Two copies of the product run side by side under gunicorn as the Procfile starts it (sync
workers, DEBUG off): one with the abuse limits at their defaults, one with them off. Client
threads hammer ``test_status`` and ``list_tests``, spreading the load over several API keys
(as several customers would) so that no key reaches its limit. Rounds come in on/off pairs
(alternating which goes first) and the ratio is the median of the pairs' ratios, so that
drift on a busy machine hits both alike; the script prints requests per second, p50/p99
latency, any 429s and that ratio.

    .venv/bin/python benchmarks/api.py                  # SQLite, file cache (as `make run`)
    .venv/bin/python benchmarks/api.py --cache redis://127.0.0.1:6379/15
    .venv/bin/python benchmarks/api.py --postgres --cache redis://127.0.0.1:6379/15
    .venv/bin/python benchmarks/api.py --quick          # a few seconds, for CI

``--postgres [URL]`` (default postgres://postgres@127.0.0.1:5432/mariohr_bench) drops and
creates that database, and drops it at the end.
"""

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

POSTGRES_DEFAULT = "postgres://postgres@127.0.0.1:5432/mariohr_bench"
LIMITS_ON: dict[str, str] = {}  # the shipped defaults
LIMITS_OFF = {"MARIOHR_API_RATE_LIMIT": "off", "MARIOHR_AUTH_FAILURE_LIMIT": "off"}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def recreate_postgres(url: str, *, drop_only: bool = False) -> None:
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            connection.execute(f'CREATE DATABASE "{name}"')


def seed(keys: int) -> tuple[list[str], list[str]]:
    """An organization with keys and a few interviews; returns the keys and the ids."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from assessments import services
    from assessments.demo import demo_catalog_seed
    from assessments.models import Interview
    from integrations.keys import api_key_issue

    test = demo_catalog_seed()[0]
    organization = services.organization_create(name="Bench", slug="bench")
    raw_keys = [api_key_issue(organization=organization)[1] for _ in range(keys)]
    ids = []
    for n in range(5):
        interview, _ = services.interview_send(
            organization=organization,
            test=test,
            candidate=services.CandidateData(first_name="B", last_name=str(n), email="b@x.test"),
            source=Interview.Source.GREENHOUSE,
            callback_url=f"https://ats.bench.test/callback/{n}",
        )
        ids.append(interview.partner_interview_id)
    from django.db import connections

    connections.close_all()
    return raw_keys, ids


def start_server(port: int, workers: int, env: dict, log_path: Path) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).with_name("gunicorn")), "mariohr.wsgi",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
    ]  # fmt: skip
    log = log_path.open("wb")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)  # noqa: S603


def wait_ready(port: int, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited:\n{log_path.read_text()}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer on :{port}:\n{log_path.read_text()}")


def hammer(port: int, paths: list[str], keys: list[dict], seconds: float, threads: int) -> dict:
    """Requests from ``threads`` keep-alive clients for ``seconds``; reconnects whenever the
    server closes (gunicorn's sync workers close after every response)."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client(offset: int) -> None:
        mine, codes, n = [], {}, offset
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.perf_counter() < stop_at:
            path, headers = paths[n % len(paths)], keys[n % len(keys)]
            n += 1
            sent = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
            except (http.client.HTTPException, OSError):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                continue
            mine.append(time.perf_counter() - sent)
            codes[response.status] = codes.get(response.status, 0) + 1
            if response.will_close:
                connection.close()
        with lock:
            latencies.extend(mine)
            for code, count in codes.items():
                statuses[code] = statuses.get(code, 0) + count

    started = time.perf_counter()
    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    return {"rate": len(latencies) / elapsed, "latencies": latencies, "statuses": statuses}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", nargs="?", const=POSTGRES_DEFAULT, help="database URL")
    parser.add_argument("--cache", help="MARIOHR_CACHE_URL (Redis); default: the file cache")
    parser.add_argument("--rounds", type=int, default=12, help="on/off pairs of rounds")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of one round")
    parser.add_argument("--threads", type=int, default=4, help="client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--keys", type=int, default=20, help="API keys the load is spread over")
    parser.add_argument("--quick", action="store_true", help="2 rounds of 1.5 s (CI smoke run)")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.seconds = 2, 1.5

    workdir = Path(tempfile.mkdtemp(prefix="mariohr-api-bench-"))
    database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    if args.postgres:
        database_url = args.postgres
        recreate_postgres(database_url)
    base_env = {
        k: v for k, v in os.environ.items() if not k.startswith(("MARIOHR_", "DATABASE_URL"))
    }
    base_env.update(
        DJANGO_SETTINGS_MODULE="mariohr.settings",
        MARIOHR_VAR_DIR=str(workdir),
        DATABASE_URL=database_url,
        MARIOHR_CALLBACK_ALLOWLIST="ats.bench.test",
        MARIOHR_PLAIN_STATIC="true",
        DEBUG="false",
        LOG_LEVEL="ERROR",
    )
    if args.cache:
        base_env["MARIOHR_CACHE_URL"] = args.cache
    os.environ.clear()
    os.environ.update(base_env)
    raw_keys, interview_ids = seed(args.keys)

    import base64

    keys = [
        {"Authorization": "Basic " + base64.b64encode(f"{raw_key}:".encode()).decode()}
        for raw_key in raw_keys
    ]
    paths = [f"/api/greenhouse/test_status?partner_interview_id={i}" for i in interview_ids]
    paths.append("/api/greenhouse/list_tests")

    modes = {"on": LIMITS_ON, "off": LIMITS_OFF}
    servers, ports = {}, {}
    try:
        for name, limits in modes.items():
            ports[name] = free_port()
            log_path = workdir / f"gunicorn-{name}.log"
            servers[name] = start_server(
                ports[name], args.workers, {**base_env, **limits}, log_path
            )
        for name in modes:
            wait_ready(ports[name], servers[name], workdir / f"gunicorn-{name}.log")
            hammer(ports[name], paths, keys, min(1.0, args.seconds), args.threads)  # warm-up

        results = {name: [] for name in modes}
        order = list(modes)
        for _ in range(args.rounds):
            for name in order:
                results[name].append(hammer(ports[name], paths, keys, args.seconds, args.threads))
            order.reverse()
    finally:
        for server in servers.values():
            server.send_signal(signal.SIGTERM)
        for server in servers.values():
            server.wait(30)
        if args.postgres:
            recreate_postgres(database_url, drop_only=True)

    database = "PostgreSQL" if args.postgres else "SQLite"
    cache = f"Redis ({args.cache})" if args.cache else "file cache"
    print(f"database: {database}; cache: {cache}; gunicorn {args.workers} sync workers per mode;")
    print(f"{args.threads} client threads; {args.rounds} rounds x {args.seconds:g} s per mode")
    print(f"limits on: the defaults, load spread over {args.keys} keys; off: {LIMITS_OFF}")
    print(f"{'':<12} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9}  statuses")
    medians = {}
    for name in modes:
        rounds = results[name]
        medians[name] = statistics.median(r["rate"] for r in rounds)
        latencies = [value for r in rounds for value in r["latencies"]]
        statuses: dict[int, int] = {}
        for r in rounds:
            for code, count in r["statuses"].items():
                statuses[code] = statuses.get(code, 0) + count
        p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
        per_round = ", ".join(f"{r['rate']:.0f}" for r in rounds)
        print(f"limits {name:<5} {medians[name]:>9.1f} {p50:>9.2f} {p99:>9.2f}  {statuses}", end="")
        print(f"  (rounds: {per_round})")
        if statuses.get(429):
            print(f"  note: {statuses[429]} requests were throttled (429) with limits {name}")
    rounds = zip(results["on"], results["off"], strict=True)
    pairs = sorted(on["rate"] / off["rate"] for on, off in rounds)
    print(f"throughput ratio on/off: {statistics.median(pairs):.3f}", end=" ")
    print(f"(median of {len(pairs)} pairs, {pairs[0]:.2f}..{pairs[-1]:.2f})")
    per_key = medians["on"] * 60 / args.keys
    print(f"busiest key: about {per_key:.0f} requests/min (default limit 3000/min)")


if __name__ == "__main__":
    main()
