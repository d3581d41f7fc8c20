"""Benchmark: the partner API under gunicorn against a bare Django app doing the same queries.

Two servers run side by side, each as the Procfile starts the web process (gunicorn, sync
workers, 2 by default): the product with its full stack (DRF, middleware, the abuse limits
ON at their defaults) and ``benchmarks/bare_app`` (plain Django views, no middleware, no DRF)
which authenticates the key with the same single indexed query and reads the interview
with the same single indexed query, on the same database with the same settings. wrk drives
``test_status``, ``list_tests`` and ``send_test`` against each, in rounds that alternate
which server goes first, so that drift on a busy machine hits both alike; a ratio is the
median of the rounds' product/bare ratios. The script also counts each call's queries once
in-process (CaptureQueriesContext) and prints req/s, p50/p99 latency and the ratios.

With ``--cache`` (Redis) the product runs in production mode (MARIOHR_PRODUCTION=true behind
a TLS-terminating proxy: wrk sends X-Forwarded-Proto: https); without it, as ``make run``
does (DEBUG off, a file cache for the rate counters).

    .venv/bin/python benchmarks/api.py                  # SQLite
    .venv/bin/python benchmarks/api.py --postgres --cache redis://127.0.0.1:6379/15
    .venv/bin/python benchmarks/api.py --quick          # a few seconds, for CI

``--request-log`` adds a run of the product with the partner-API request log on against the
product with it off (MARIOHR_REQUEST_LOG_ENABLED; the servers above run with the defaults,
log on), in alternating rounds like the above, and prints what the log costs per call.

``--postgres [URL]`` (default postgres://postgres@127.0.0.1:5432/mariohr_bench_api) drops and
creates that database, and drops it at the end. A full run (not --quick) writes its numbers
to benchmarks/results.md between the ``api`` markers.

Why wrk: it is C and event-driven, so one wrk thread keeps 2 sync gunicorn workers busy
while using a fraction of a CPU; Python client threads spent more CPU than the servers on a
2-CPU machine and made the client the bottleneck.
"""

import argparse
import base64
import datetime
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from common import RESULTS, free_port, gunicorn_wait_ready, results_section_write

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

POSTGRES_DEFAULT = "postgres://postgres@127.0.0.1:5432/mariohr_bench_api"
SERVERS = {"product": "mariohr.wsgi", "bare": "benchmarks.bare_app.wsgi"}
CALLS = ("test_status", "list_tests", "send_test")
LIMITS_OFF = {"MARIOHR_API_RATE_LIMIT": "off", "MARIOHR_AUTH_FAILURE_LIMIT": "off"}
# A public address literal: no DNS lookup, and the SSRF guard accepts it in production mode.
CALLBACK = "https://93.184.215.14/bench/CALLBACK"

# wrk script: rotates keys and ids per request; POSTs carry a callback URL never used before
# (send_test is idempotent per callback URL); prints one JSON line at the end.
WRK_LUA = r"""
local method, tag, counter = "GET", "", 0
local auths, paths, body = {}, {}, ""
init = function(args)
  method, tag = args[1], args[2]
  for line in io.lines(args[3]) do
    local kind, value = line:sub(1, 1), line:sub(3)
    if kind == "A" then table.insert(auths, value)
    elseif kind == "P" then table.insert(paths, value)
    elseif kind == "B" then body = value end
  end
end
request = function()
  counter = counter + 1
  local headers = {Authorization = auths[counter % #auths + 1], ["X-Forwarded-Proto"] = "https"}
  local path = paths[counter % #paths + 1]
  if method == "POST" then
    headers["Content-Type"] = "application/json"
    return wrk.format("POST", path, headers, body:gsub("CALLBACK", tag .. "-" .. counter))
  end
  return wrk.format("GET", path, headers)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"non2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def recreate_postgres(url: str, *, drop_only: bool = False) -> None:
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            connection.execute(f'CREATE DATABASE "{name}"')


def send_body(callback_url: str) -> dict:
    return {
        "partner_test_id": "py-fastapi-review",
        "candidate": {
            "first_name": "Bench",
            "last_name": "Candidate",
            "email": "bench@example.com",
            "greenhouse_profile_url": "https://app.greenhouse.io/people/1?application_id=2",
        },
        "url": callback_url,
    }


def seed(keys: int, interviews: int) -> tuple[list[str], list[str]]:
    """An organization with keys and sent interviews; returns the keys and the ids."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from assessments import services
    from assessments.demo import demo_catalog_seed
    from integrations.keys import api_key_issue

    test = demo_catalog_seed()[0]
    organization = services.organization_create(name="Bench", slug="bench")
    raw_keys = [api_key_issue(organization=organization)[1] for _ in range(keys)]
    ids = []
    for n in range(interviews):
        interview, _ = services.interview_send(
            organization=organization,
            test=test,
            candidate=services.CandidateData(first_name="B", last_name=str(n), email="b@x.test"),
            source="greenhouse",
            callback_url=CALLBACK.replace("CALLBACK", f"seed-{n}"),
        )
        ids.append(interview.partner_interview_id)
    return raw_keys, ids


def query_counts(auth: str, interview_id: str) -> dict[str, int]:
    """Each call's queries, counted once in this process through the product's full stack
    (the key already used: its last_used_at write comes at most once a minute)."""
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=auth, HTTP_X_FORWARDED_PROTO="https")
    client.get("/api/greenhouse/list_tests")  # the key's first use writes its last_used_at
    requests = {
        "test_status": lambda: client.get(
            "/api/greenhouse/test_status", {"partner_interview_id": interview_id}
        ),
        "list_tests": lambda: client.get("/api/greenhouse/list_tests"),
        "send_test": lambda: client.post(
            "/api/greenhouse/send_test",
            send_body(CALLBACK.replace("CALLBACK", "count")),
            content_type="application/json",
        ),
    }
    counts = {}
    for call, request in requests.items():
        with CaptureQueriesContext(connection) as captured:
            response = request()
        if response.status_code != 200:
            raise SystemExit(f"{call} answered {response.status_code}: {response.content!r}")
        counts[call] = len(captured.captured_queries)
    connections.close_all()
    return counts


def start_server(module: str, port: int, workers: int, env: dict, log: Path) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).with_name("gunicorn")), module,
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
    ]  # fmt: skip
    out = log.open("wb")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)  # noqa: S603


def cpu_seconds(master: subprocess.Popen) -> float:
    """CPU time (user + system) the server's worker processes have used so far."""
    ticks = 0
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def alternating_rounds(args, servers, ports, inputs, names, prefix) -> dict:
    """Each call against each server in turn, the order reversed every call, with the
    server's CPU time per request: {call: {name: [result, ...]}}."""
    results = {call: {name: [] for name in names} for call in args.calls}
    order = list(names)
    for round_number in range(args.rounds):
        for call in args.calls:
            for name in order:
                tag = f"{prefix}{round_number}-{name}"
                cpu_before = cpu_seconds(servers[name])
                result = run_wrk(args, ports[name], call, inputs[call], tag, args.seconds)
                cpu = cpu_seconds(servers[name]) - cpu_before
                result["cpu_ms"] = cpu * 1000 / max(1, result["requests"])
                results[call][name].append(result)
            order.reverse()
    return results


def run_wrk(args, port: int, call: str, inputs: Path, tag: str, seconds: float) -> dict:
    method = "POST" if call == "send_test" else "GET"
    command = [
        "wrk", "-t1", f"-c{args.connections}", f"-d{seconds:g}s", "--timeout", "10s",
        "-s", str(inputs.parent / "api.lua"), f"http://127.0.0.1:{port}",
        "--", method, tag, str(inputs),
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    match = re.search(r"^RESULT (.*)$", output, re.M)
    if match is None:
        raise SystemExit(f"wrk printed no result:\n{output}")
    result = json.loads(match[1])
    result["rate"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def write_inputs(workdir: Path, raw_keys: list[str], ids: list[str]) -> dict[str, Path]:
    (workdir / "api.lua").write_text(WRK_LUA)
    auths = ["A Basic " + base64.b64encode(f"{raw_key}:".encode()).decode() for raw_key in raw_keys]
    paths = {
        "test_status": [f"P /api/greenhouse/test_status?partner_interview_id={i}" for i in ids],
        "list_tests": ["P /api/greenhouse/list_tests"],
        "send_test": ["P /api/greenhouse/send_test", "B " + json.dumps(send_body(CALLBACK))],
    }
    inputs = {}
    for call, lines in paths.items():
        inputs[call] = workdir / f"{call}.txt"
        inputs[call].write_text("\n".join([*auths, *lines]) + "\n")
    return inputs


def summary(rounds: list[dict]) -> dict:
    return {
        "rate": statistics.median(r["rate"] for r in rounds),
        "p50": statistics.median(r["p50_us"] for r in rounds) / 1000,
        "p99": statistics.median(r["p99_us"] for r in rounds) / 1000,
        "errors": sum(r["non2xx"] + r["socket_errors"] for r in rounds),
        "cpu_ms": statistics.median(r["cpu_ms"] for r in rounds),
    }


def failed_calls(results: dict) -> list[str]:
    return [
        f"{call} ({server})"
        for call, by_server in results.items()
        for server, rounds in by_server.items()
        if summary(rounds)["errors"]
    ]


def report(args, results: dict, counts: dict[str, int]) -> str:
    database = "PostgreSQL" if args.postgres else "SQLite"
    mode = "production mode, Redis cache" if args.cache else "`make run` settings, file cache"
    limits = "OFF" if args.limits_off else "ON (defaults)"
    lines = [
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs; "
        f"{database}; product: {mode}, rate limits {limits}",
        f"gunicorn {args.workers} sync workers per server; wrk 1 thread, {args.connections} "
        f"connections; {args.rounds} rounds x {args.seconds:g} s per call and server; "
        f"load spread over {args.keys} keys",
        "",
        f"{'call':<12} {'server':<8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
        f" {'CPU ms/req':>10}  {'queries':>7}",
    ]
    for call in args.calls:
        for server in SERVERS:
            s = summary(results[call][server])
            queries = str(counts[call]) if server == "product" else ""
            lines.append(
                f"{call:<12} {server:<8} {s['rate']:>8.0f} {s['p50']:>8.2f} {s['p99']:>8.2f}"
                f" {s['errors']:>7} {s['cpu_ms']:>10.2f}  {queries:>7}"
            )
    lines.append("")
    for call in args.calls:
        pairs = sorted(
            product["rate"] / bare["rate"]
            for product, bare in zip(results[call]["product"], results[call]["bare"], strict=True)
        )
        cpu = sorted(
            bare["cpu_ms"] / product["cpu_ms"]
            for product, bare in zip(results[call]["product"], results[call]["bare"], strict=True)
        )
        target = "  (target >= 0.80)" if call != "send_test" else ""
        lines.append(
            f"{call:<12} product/bare throughput {statistics.median(pairs):.3f}"
            f" (rounds {pairs[0]:.2f}..{pairs[-1]:.2f}); by server CPU per request"
            f" {statistics.median(cpu):.3f} ({cpu[0]:.2f}..{cpu[-1]:.2f}){target}"
        )
    lines.append("")
    for call in args.calls:
        for server in SERVERS:
            rates = " ".join(f"{r['rate']:.0f}" for r in results[call][server])
            lines.append(f"{call:<12} {server:<8} req/s per round: {rates}")
    return "\n".join(lines)


def request_log_rounds(args, inputs: dict[str, Path], env: dict, workdir: Path) -> dict:
    """The product with the request log on and off, rounds alternating which goes first."""
    variants = {"on": "true", "off": "false"}
    servers, ports = {}, {}
    try:
        for name, enabled in variants.items():
            ports[name] = free_port()
            log = workdir / f"gunicorn-log-{name}.log"
            server_env = {**env, "MARIOHR_REQUEST_LOG_ENABLED": enabled}
            servers[name] = start_server("mariohr.wsgi", ports[name], args.workers, server_env, log)
        for name in variants:
            gunicorn_wait_ready(ports[name], servers[name], workdir / f"gunicorn-log-{name}.log")
            for call in ("test_status", "list_tests"):
                run_wrk(args, ports[name], call, inputs[call], f"warm-log-{name}", 1)
        load_before = os.getloadavg()[0]
        results = alternating_rounds(args, servers, ports, inputs, list(variants), "log-")
        # A shared machine: the load says how much the figures can be trusted.
        args.log_load = (load_before, os.getloadavg()[0])
    finally:
        stop_servers(servers)
    return results


def stop_servers(servers: dict[str, subprocess.Popen]) -> None:
    for server in servers.values():
        server.send_signal(signal.SIGTERM)
    for server in servers.values():
        server.wait(30)


def request_log_cost(calls: int = 2000) -> dict[str, float]:
    """The log's own work, in this process, as CPU time of this thread (steadier than req/s on
    a busy machine): capturing a test_status call (the middleware around a canned answer,
    each answer distinct), the after-response flush (sealing, publishing to the broker) and
    the worker's write (parsing, redaction, one INSERT), in microseconds per call."""
    import gc
    import time

    from django.conf import settings
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.urls import resolve

    from integrations.request_log import buffer
    from integrations.request_log.middleware import RequestLogMiddleware
    from integrations.request_log.models import PartnerRequest
    from integrations.request_log.services import partner_requests_write

    path = "/api/greenhouse/test_status"
    factory, match = RequestFactory(), resolve(path)
    requests = []
    for n in range(calls):
        request = factory.get(path, {"partner_interview_id": f"iv-{n}", "token": "t"})
        request.resolver_match = match
        answer = {
            "partner_interview_id": f"iv-{n}",
            "partner_status": "completed",
            "partner_profile_url": f"https://mariohr.example.com/reports/{n}",
            "partner_score": n % 100,
            "metadata": {"Test": "Python FastAPI Code Review", "Score": f"{n % 100}/100"},
        }
        request.answer = HttpResponse(json.dumps(answer), content_type="application/json")
        requests.append(request)

    def view(request):
        request.GET  # noqa: B018 - parsed, as the real view does
        return request.answer

    middleware = RequestLogMiddleware(view)
    settings.MARIOHR_REQUEST_LOG_FLUSH_SECONDS = 3600
    buffer.pending.discard()

    def capture(enabled: bool) -> int:
        settings.MARIOHR_REQUEST_LOG_ENABLED = enabled
        gc.disable()  # as timeit does: a collection would land in one run, not the other
        started = time.thread_time_ns()
        for request in requests:
            middleware(request)
        elapsed = time.thread_time_ns() - started
        gc.enable()
        return elapsed

    batches, publish = [], buffer.task_enqueue

    def publish_kept(name, batch, **options):
        batches.append(batch)
        return publish(name, batch, **options)

    def measure() -> dict[str, float]:
        for request in requests:
            request.__dict__.pop("GET", None)  # parsed again by each run
        off = capture(False)
        for request in requests:
            del request.GET
        on = capture(True)
        batches.clear()
        buffer.task_enqueue = publish_kept
        gc.disable()
        try:
            started = time.thread_time_ns()
            buffer.pending.flush()
            flush = time.thread_time_ns() - started
        finally:
            buffer.task_enqueue = publish
            gc.enable()
        started = time.thread_time_ns()
        for batch in batches:
            partner_requests_write(batch=batch)
        write = time.thread_time_ns() - started
        PartnerRequest.objects.all().delete()
        return {"capture": on - off, "flush": flush, "write": write}

    measure()  # warm-up: imports, the broker connection, the redaction cache's misses
    runs = [measure() for _ in range(3)]
    cost = {part: statistics.median(run[part] for run in runs) / calls / 1000 for part in runs[0]}
    return {**cost, "batch": settings.MARIOHR_REQUEST_LOG_BUFFER_ROWS}


def request_log_report(args, results: dict, cost: dict) -> str:
    database = "PostgreSQL" if args.postgres else "SQLite"
    broker = os.environ.get("CELERY_BROKER_URL") or "filesystem://"
    lines = [
        "Request log: the product with MARIOHR_REQUEST_LOG_ENABLED on vs off "
        f"({args.rounds} rounds x {args.seconds:g} s per call and variant)",
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs; "
        f"{database}; load average (1 min) {args.log_load[0]:.2f} before, "
        f"{args.log_load[1]:.2f} after; broker {broker} (no worker: the web side's cost only)",
        "",
        f"{'call':<12} {'log':<4} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
        f" {'CPU ms/req':>10}",
    ]
    for call in args.calls:
        for name in ("on", "off"):
            s = summary(results[call][name])
            lines.append(
                f"{call:<12} {name:<4} {s['rate']:>8.0f} {s['p50']:>8.2f} {s['p99']:>8.2f}"
                f" {s['errors']:>7} {s['cpu_ms']:>10.3f}"
            )
    lines.append("")
    for call in args.calls:
        pairs = list(zip(results[call]["on"], results[call]["off"], strict=True))
        # A --quick round on a busy machine can complete no send_test at all.
        ratios = sorted(on["rate"] / off["rate"] for on, off in pairs if off["rate"]) or [0.0]
        extra_cpu = statistics.median(on["cpu_ms"] - off["cpu_ms"] for on, off in pairs)
        extra_p50 = statistics.median((on["p50_us"] - off["p50_us"]) / 1000 for on, off in pairs)
        lines.append(
            f"{call:<12} log on/off throughput {statistics.median(ratios):.3f}"
            f" (rounds {ratios[0]:.2f}..{ratios[-1]:.2f}); cost per request"
            f" {extra_cpu:+.3f} ms CPU, {extra_p50:+.2f} ms p50"
        )
    lines += [
        "",
        f"The log's own work per call, in-process CPU time ({cost['batch']}-row batches):"
        f" web process {cost['capture'] + cost['flush']:.1f} us (capture {cost['capture']:.1f},"
        f" flush after the response {cost['flush']:.1f}); worker {cost['write']:.1f} us"
        " (open, redact, INSERT)",
    ]
    return "\n".join(lines)


def results_write(args, text: str) -> None:
    section = "postgres" if args.postgres else "sqlite"
    title = f"### API: product vs bare Django ({section})"
    results_section_write(f"api {section}", f"{title}\n\n```\n{text}\n```\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", nargs="?", const=POSTGRES_DEFAULT, help="database URL")
    parser.add_argument("--cache", help="MARIOHR_CACHE_URL (Redis): production mode")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per call and server")
    parser.add_argument("--seconds", type=float, default=4.0, help="length of one wrk run")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--keys", type=int, default=100, help="API keys the load is spread over")
    parser.add_argument("--interviews", type=int, default=50, help="interviews polled")
    parser.add_argument("--limits-off", action="store_true", help="product without rate limits")
    parser.add_argument("--calls", nargs="+", choices=CALLS, default=list(CALLS))
    parser.add_argument("--quick", action="store_true", help="1 round of 1 s (CI smoke run)")
    parser.add_argument(
        "--request-log", action="store_true", help="also measure the request log on vs off"
    )
    parser.add_argument(
        "--request-log-only", action="store_true", help="only the request log on vs off"
    )
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.seconds, args.keys, args.interviews = 1, 1.0, 10, 5
    args.request_log = args.request_log or args.request_log_only
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")

    workdir = Path(tempfile.mkdtemp(prefix="mariohr-api-bench-"))
    (workdir / "staticfiles").mkdir()  # WhiteNoise warns at start-up without it
    database_url = args.postgres or f"sqlite:///{workdir / 'bench.sqlite3'}"
    if args.postgres:
        recreate_postgres(database_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MARIOHR_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="mariohr.settings",
        MARIOHR_VAR_DIR=str(workdir),
        DATABASE_URL=database_url,
        MARIOHR_PLAIN_STATIC="true",
        ALLOWED_HOSTS="127.0.0.1,testserver",
        DEBUG="false",
        LOG_LEVEL="ERROR",
    )
    if args.cache:
        from cryptography.fernet import Fernet

        env.update(
            MARIOHR_CACHE_URL=args.cache,
            MARIOHR_PRODUCTION="true",
            SECRET_KEY=secrets.token_urlsafe(50),
            MARIOHR_FERNET_KEYS=Fernet.generate_key().decode(),
            MARIOHR_BASE_URL="https://mariohr.bench.test",
            MARIOHR_BEHIND_PROXY="true",
        )
    os.environ.clear()
    os.environ.update(env)
    raw_keys, ids = seed(args.keys, args.interviews)
    auth = "Basic " + base64.b64encode(f"{raw_keys[0]}:".encode()).decode()
    counts = query_counts(auth, ids[0])
    log_cost = request_log_cost() if args.request_log else None
    inputs = write_inputs(workdir, raw_keys, ids)

    servers, ports = {}, {}
    server_env = {"product": {**env, **(LIMITS_OFF if args.limits_off else {})}, "bare": env}
    results = None
    compared = {} if args.request_log_only else SERVERS
    try:
        for name, module in compared.items():
            ports[name] = free_port()
            log = workdir / f"gunicorn-{name}.log"
            servers[name] = start_server(module, ports[name], args.workers, server_env[name], log)
        for name in compared:
            gunicorn_wait_ready(ports[name], servers[name], workdir / f"gunicorn-{name}.log")
            for call in ("test_status", "list_tests"):  # warm-up: imports, connections
                run_wrk(args, ports[name], call, inputs[call], f"warm-{name}", 1)

        if not args.request_log_only:
            results = alternating_rounds(args, servers, ports, inputs, list(SERVERS), "")
        # The request-log run gets the CPUs to itself.
        stop_servers(servers)
        servers = {}
        log_results = None
        if args.request_log:
            log_results = request_log_rounds(args, inputs, server_env["product"], workdir)
    finally:
        stop_servers(servers)
        if args.postgres:
            recreate_postgres(database_url, drop_only=True)

    if results is not None:
        text = report(args, results, counts)
        print(text)
        failing = failed_calls(results)
        if failing:
            # A server answering errors measures nothing (CI's --quick run catches it here).
            sys.exit(f"errors from {', '.join(failing)}: see {workdir}/gunicorn-*.log")
        if not args.quick and args.calls == list(CALLS):
            results_write(args, text)
            print(f"written to {RESULTS.relative_to(ROOT)}")
    if log_results is not None:
        log_text = request_log_report(args, log_results, log_cost)
        print()
        print(log_text)
        if not args.quick and args.calls == list(CALLS):
            section = "postgres" if args.postgres else "sqlite"
            title = f"### API: request log on vs off ({section})"
            results_section_write(
                f"api request-log {section}", f"{title}\n\n```\n{log_text}\n```\n"
            )


if __name__ == "__main__":
    main()
