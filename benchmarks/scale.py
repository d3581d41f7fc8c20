"""Benchmark: flat with size. test_status and the admin lists at 10,000 and 1,000,000 interviews.

Two PostgreSQL databases are seeded (benchmarks/scale_seed.py: COPY in blocks; deliveries,
attempts and recordings in proportion), one small and one large, and the product runs under
gunicorn against each (sync workers, DEBUG off, as the Procfile starts it). A single client
polls ``test_status`` for interviews spread over the whole table, in rounds alternating
between the two servers, so background load hits both alike; the ratio is large over small
p50. Then, as a logged-in superuser, it opens the admin lists (interviews, deliveries, the
reviewers' queue, recordings, and a few filtered views) on both and prints their times.

    .venv/bin/python benchmarks/scale.py                    # 10,000 against 1,000,000
    .venv/bin/python benchmarks/scale.py --big 200000       # a smaller large database
    .venv/bin/python benchmarks/scale.py --reuse            # keep and reuse seeded databases
    .venv/bin/python benchmarks/scale.py --quick            # 1,000 against 5,000 (CI)

Databases: <server>/mariohr_scale_small and _large (``--name-prefix`` mariohr_scale;
``--server``, default: the server of $DATABASE_URL if it is PostgreSQL, else
postgres://postgres@127.0.0.1:5432), dropped and created unless ``--reuse``; dropped at the
end unless ``--reuse`` or ``--keep``. Results go to benchmarks/results.md (its own section;
not with ``--quick``).
"""

import argparse
import http.client
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from common import free_port, gunicorn_wait_ready, results_section_write

ROOT = Path(__file__).resolve().parent.parent
SERVER_DEFAULT = "postgres://postgres@127.0.0.1:5432"
TARGET_RATIO = 1.2
TARGET_ADMIN_SECONDS = 1.0
ADMIN_PAGES = {
    "interviews": "/admin/assessments/interview/",
    "interviews, status=submitted": "/admin/assessments/interview/?status__exact=submitted",
    "interviews, one organization": "/admin/assessments/interview/?organization__id__exact={org}",
    "interviews, page 10": "/admin/assessments/interview/?p=10",
    "deliveries": "/admin/delivery/delivery/",
    "deliveries, status=failed": "/admin/delivery/delivery/?status__exact=failed",
    "reviewers' queue": "/admin/assessments/interviewtoreview/",
    "recordings": "/admin/recordings/recording/",
    # Search (assessments.selectors.interview_search): exact ids, indexed prefixes.
    "interviews, search one id": "/admin/assessments/interview/?q={q}",
    "interviews, search an e-mail": "/admin/assessments/interview/?q=c10%40scale.test",
    "interviews, search a last name": "/admin/assessments/interview/?q=idate1234",
    "deliveries, search an interview id": "/admin/delivery/delivery/?q={q}",
}


def default_server() -> str:
    """The server of $DATABASE_URL when it is PostgreSQL (as in CI), else the local one."""
    url = os.environ.get("DATABASE_URL", "")
    return url.rsplit("/", 1)[0] if url.startswith("postgres") else SERVER_DEFAULT


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def database_exists(server: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return found.fetchone() is not None


def recreate(server: str, name: str, *, drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            connection.execute(f'CREATE DATABASE "{name}"')


def seed(env: dict, rows: int) -> dict:
    command = [sys.executable, str(ROOT / "benchmarks" / "scale_seed.py"), str(rows)]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
    if done.returncode:
        raise SystemExit(f"seeding failed:\n{done.stderr}")
    seeded = json.loads(done.stdout.strip().splitlines()[-1])
    seeded["wall_seconds"] = round(time.perf_counter() - started, 1)
    return seeded


def start_server(port: int, env: dict, log_path: Path) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).with_name("gunicorn")), "mariohr.wsgi",
        "--bind", f"127.0.0.1:{port}", "--workers", "2",
    ]  # fmt: skip
    log = log_path.open("wb")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)  # noqa: S603


def get(port: int, path: str, headers: dict) -> tuple[int, float, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    sent = time.perf_counter()
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - sent
    connection.close()
    return response.status, elapsed, body


def poll_round(port: int, polls: list, count: int, rng: random.Random) -> list[float]:
    import base64

    latencies = []
    for partner_id, raw_key in rng.sample(polls, min(count, len(polls))):
        auth = "Basic " + base64.b64encode(f"{raw_key}:".encode()).decode()
        path = f"/api/greenhouse/test_status?partner_interview_id={partner_id}"
        status, elapsed, body = get(port, path, {"Authorization": auth})
        if status != 200:
            raise SystemExit(f"test_status answered {status}: {body[:300]!r}")
        latencies.append(elapsed)
    return latencies


def admin_times(port: int, seeded: dict, repeats: int) -> dict:
    headers = {"Cookie": f"sessionid={seeded['session']}"}
    org, q = seeded["organization_id"], seeded["polls"][0][0]
    times = {}
    for name, path in ADMIN_PAGES.items():
        path = path.format(org=org, q=q)
        measured = []
        for _ in range(repeats + 1):  # the first one warms the caches and is not counted
            status, elapsed, body = get(port, path, headers)
            if status != 200 or b'id="changelist"' not in body:
                raise SystemExit(f"{path} answered {status}: {body[:300]!r}")
            measured.append(elapsed)
        times[name] = (statistics.median(measured[1:]), max(measured[1:]))
    return times


def write_results(text: str) -> None:
    results_section_write("scale.py", text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000, help="interviews, small database")
    parser.add_argument("--big", type=int, default=1_000_000, help="interviews, large database")
    parser.add_argument("--server", default=default_server(), help="PostgreSQL server URL")
    parser.add_argument("--rounds", type=int, default=10, help="alternating rounds per database")
    parser.add_argument("--polls", type=int, default=150, help="test_status calls per round")
    parser.add_argument("--admin-repeats", type=int, default=5, help="timed loads per page")
    parser.add_argument("--reuse", action="store_true", help="reuse (and keep) the databases")
    parser.add_argument("--keep", action="store_true", help="do not drop the databases")
    parser.add_argument(
        "--quick", action="store_true", help="1,000 and 5,000 rows, results.md untouched (CI)"
    )
    parser.add_argument("--no-write", action="store_true", help="do not update results.md")
    parser.add_argument(
        "--name-prefix", default="mariohr_scale", help="databases <prefix>_small and _large"
    )
    args = parser.parse_args()
    if args.quick:
        args.small, args.big, args.rounds, args.polls, args.admin_repeats = 1000, 5000, 2, 40, 2

    workdir = Path(tempfile.mkdtemp(prefix="mariohr-scale-bench-"))
    names = {"small": f"{args.name_prefix}_small", "large": f"{args.name_prefix}_large"}
    sizes = {"small": args.small, "large": args.big}
    base_env = {
        k: v for k, v in os.environ.items() if not k.startswith(("MARIOHR_", "DATABASE_URL"))
    }
    base_env.update(
        DJANGO_SETTINGS_MODULE="mariohr.settings",
        MARIOHR_VAR_DIR=str(workdir),
        MARIOHR_PLAIN_STATIC="true",
        DEBUG="false",
        LOG_LEVEL="ERROR",
    )
    envs, seeded = {}, {}
    for size, name in names.items():
        if not (args.reuse and database_exists(args.server, name)):
            recreate(args.server, name)
        envs[size] = {**base_env, "DATABASE_URL": f"{args.server}/{name}"}
        print(f"seeding {name} with {sizes[size]:,} interviews ...", flush=True)
        seeded[size] = seed(envs[size], sizes[size])
        print(f"  {seeded[size]['wall_seconds']} s", flush=True)

    servers, ports = {}, {}
    try:
        for size in names:
            ports[size] = free_port()
            servers[size] = start_server(ports[size], envs[size], workdir / f"{size}.log")
        for size in names:
            gunicorn_wait_ready(ports[size], servers[size], workdir / f"{size}.log")
            poll_round(ports[size], seeded[size]["polls"], 50, random.Random(1))  # warm-up
        rng = random.Random(2)
        latencies = {size: [] for size in names}
        pairs = []
        order = list(names)
        for _ in range(args.rounds):
            medians = {}
            for size in order:
                measured = poll_round(ports[size], seeded[size]["polls"], args.polls, rng)
                latencies[size].extend(measured)
                medians[size] = statistics.median(measured)
            pairs.append(medians["large"] / medians["small"])
            order.reverse()
        admin = {size: admin_times(ports[size], seeded[size], args.admin_repeats) for size in names}
    finally:
        for server in servers.values():
            server.send_signal(signal.SIGTERM)
        for server in servers.values():
            server.wait(30)
        if not (args.reuse or args.keep):
            for name in names.values():
                recreate(args.server, name, drop_only=True)

    report = render(args, sizes, seeded, latencies, pairs, admin)
    print(report, end="")
    if not (args.no_write or args.quick):
        write_results(report)


def seed_time(seeded: dict) -> str:
    took = f"{seeded['copy_seconds']} s COPY + {seeded['vacuum_analyze_seconds']} s VACUUM ANALYZE"
    return took if seeded["copied"] else f"{took} (earlier; reused)"


def render(args, sizes, seeded, latencies, pairs, admin) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "## Flat with size (benchmarks/scale.py)\n",
        f"{now}; {os.cpu_count()} CPUs; PostgreSQL; gunicorn 2 sync workers per database;",
        f"one client; {args.rounds} alternating rounds of {args.polls} test_status calls.",
        "",
        "| database | interviews | deliveries | attempts | recordings | size | seed |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        s = seeded[size]
        counts = s["counts"]
        lines.append(
            f"| {size} | {counts['interviews']:,} | {counts['deliveries']:,} | "
            f"{counts['attempts']:,} | {counts['recordings']:,} | "
            f"{s['table_bytes'] / 2**20:,.0f} MiB | {seed_time(s)} |"
        )
    p50 = {size: percentile(values, 0.5) * 1000 for size, values in latencies.items()}
    p99 = {size: percentile(values, 0.99) * 1000 for size, values in latencies.items()}
    ratio = statistics.median(pairs)
    verdict = "ok" if ratio <= TARGET_RATIO else "ABOVE TARGET"
    lines += [
        "",
        "Admin pages: the first load of each is not counted; the deliveries list's "
        "failing-endpoint banner is cached for a minute, so its first load a minute costs more.",
        "",
        f"test_status p50: small {p50['small']:.2f} ms, large {p50['large']:.2f} ms "
        f"(p99 {p99['small']:.2f} / {p99['large']:.2f} ms)",
        f"ratio large/small p50: **{ratio:.3f}** (median of {len(pairs)} round pairs, "
        f"{min(pairs):.2f}..{max(pairs):.2f}; target <= {TARGET_RATIO}: {verdict}); "
        f"ratio of the pooled p50s: {p50['large'] / p50['small']:.3f}",
        "",
        f"| admin page (median of {args.admin_repeats}, max) | small | large |",
        "|---|---:|---:|",
    ]
    for page in ADMIN_PAGES:
        small, large = admin["small"][page], admin["large"][page]
        over = large[1] >= TARGET_ADMIN_SECONDS
        flag = " **over 1 s**" if over else ""
        lines.append(
            f"| {page} | {small[0] * 1000:.0f} ms ({small[1] * 1000:.0f}) | "
            f"{large[0] * 1000:.0f} ms ({large[1] * 1000:.0f}){flag} |"
        )
    return "\n".join(lines) + "\n\n"


if __name__ == "__main__":
    main()
