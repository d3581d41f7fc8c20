"""Benchmark: similarity stays fast at 10,000 submissions of one test.

Seeds one organization with N submitted repo reviews of one test (notes of 150 words drawn
from a 3,000-word vocabulary; 1 % of them planted near-copies of an earlier one with 2 words
changed, a Jaccard similarity of about 0.87 on 5-word shingles), then indexes them one by one
through the service the Celery task calls
(``submission_similarity_compute``) and times:

- the whole set (every submission indexed and compared with those before it);
- one new submission's comparison with 1,000 and with N indexed submissions (median; the
  new submission is rolled back, so the index stays as it was);
- the baseline, in the same run: the quadratic scan the index replaces, exact Jaccard of the
  new submission's shingles against every other submission's, at 1,000 and at N.

The ratio printed is brute force at 1,000 over indexed at N; recall is the share of planted
near-copies paired.

    .venv/bin/python benchmarks/similarity.py --postgres     # PostgreSQL (the truth)
    .venv/bin/python benchmarks/similarity.py                # SQLite
    .venv/bin/python benchmarks/similarity.py --quick        # 400 submissions (CI), no results.md

Databases are throwaway (``mariohr_bench_similarity`` on the server, or a temporary SQLite
file). Results go to benchmarks/results.md (its own section; not with ``--quick``).
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import results_section_write

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_DEFAULT = "postgres://postgres@127.0.0.1:5432"
DATABASE_NAME = "mariohr_bench_similarity"
WORDS, VOCABULARY, NEAR_SHARE, CHANGED = 150, 3000, 0.01, 2
sys.path.insert(0, str(ROOT))


def throwaway_postgres(server_url: str, *, drop: bool = False) -> str:
    import psycopg

    with psycopg.connect(server_url.rstrip("/") + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE_NAME}"')
        if not drop:
            connection.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    return f"{server_url.rstrip('/')}/{DATABASE_NAME}"


class Texts:
    def __init__(self, seed: int = 17):
        self.random = random.Random(seed)
        self.vocabulary = [f"w{n}" for n in range(VOCABULARY)]

    def fresh(self) -> str:
        return " ".join(self.random.choices(self.vocabulary, k=WORDS))

    def near(self, text: str) -> str:
        words = text.split()
        for index in self.random.sample(range(len(words)), CHANGED):
            words[index] = self.random.choice(self.vocabulary)
        return " ".join(words)


class Seeder:
    def __init__(self):
        from assessments.demo import demo_catalog_seed
        from assessments.services import organization_create

        self.test = next(t for t in demo_catalog_seed() if t.kind == "repo_review")
        self.organization = organization_create(name="Bench", slug="bench")
        self.counter = 0

    def interviews(self, notes: list[str]) -> list:
        """Submitted interviews with these notes, inserted in bulk (no signal, no task)."""
        from assessments.models import Answer, Candidate, Interview

        now = datetime.now(UTC)
        candidates = Candidate.objects.bulk_create(
            Candidate(
                organization=self.organization,
                first_name="C",
                last_name=str(self.counter + n),
                email=f"c{self.counter + n}@bench.test",
            )
            for n in range(len(notes))
        )
        self.counter += len(notes)
        S = Interview.Status
        made = Interview.objects.bulk_create(
            Interview(
                organization=self.organization,
                test=self.test,
                candidate=candidate,
                source="admin",
                status=S.SUBMITTED,
                sent_at=now,
                started_at=now,
                submitted_at=now,
                completed_at=now,
                status_changed_at=now,
                expires_at=now + timedelta(days=1),
            )
            for candidate in candidates
        )
        if not made or made[0].pk is None:  # backends that return no ids
            made = list(Interview.objects.order_by("-pk")[: len(notes)])[::-1]
        Answer.objects.bulk_create(
            Answer(interview=interview, key="notes", value=text, saved_at=now)
            for interview, text in zip(made, notes, strict=True)
        )
        return made


def timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def indexed_one(seeder: Seeder, text: str) -> float:
    """One new submission compared through the service, then rolled back."""
    from django.db import transaction

    from assessments.similarity.services import submission_similarity_compute

    with transaction.atomic():
        (interview,) = seeder.interviews([text])
        elapsed = timed(lambda: submission_similarity_compute(interview_pk=interview.pk))
        transaction.set_rollback(True)
    seeder.counter -= 1
    return elapsed


def brute_force_one(seeder: Seeder, text: str, against: int) -> float:
    """The quadratic scan: ``against`` other submissions' texts loaded, shingled, compared."""
    from assessments.models import Answer
    from assessments.similarity.text import text_shingles

    def scan():
        mine = text_shingles(text)
        found = 0
        others = Answer.objects.filter(
            key="notes",
            interview__test=seeder.test,
            interview__organization=seeder.organization,
        ).order_by("interview_id")[:against]
        for other in others.values_list("value", flat=True).iterator(chunk_size=2000):
            theirs = text_shingles(other)
            found += len(mine & theirs) / len(mine | theirs) >= 0.8
        return found

    return timed(scan)


def probe(seeder, texts: Texts, seeded: list[str], rounds: int, small: int, brute=True) -> dict:
    """Medians of the indexed comparison and, interleaved with it so that background load
    falls on both alike, of the brute force against ``small`` and against all submissions."""
    samples = [texts.near(random.Random(n).choice(seeded)) for n in range(rounds)]
    times: dict[str, list[float]] = {"indexed": [], "brute small": [], "brute all": []}
    for n, sample in enumerate(samples):
        times["indexed"].append(indexed_one(seeder, sample))
        if brute and n < 3:
            times["brute small"].append(brute_force_one(seeder, sample, small))
            times["brute all"].append(brute_force_one(seeder, sample, len(seeded)))
    return {name: statistics.median(values) * 1000 for name, values in times.items() if values}


def run(args) -> str:
    from django.db import connection

    from assessments.similarity.models import SimilarPair
    from assessments.similarity.services import submission_similarity_compute

    texts, seeder = Texts(), Seeder()
    notes, planted = [], set()
    for n in range(args.count):
        if n > 10 and texts.random.random() < NEAR_SHARE:
            notes.append(texts.near(notes[texts.random.randrange(n)]))
            planted.add(n)
        else:
            notes.append(texts.fresh())
    made = seeder.interviews(notes)
    small = min(1000, args.count // 2)
    index = [made[:small], made[small:]]
    whole = timed(lambda: [submission_similarity_compute(interview_pk=i.pk) for i in index[0]])
    at_small = probe(seeder, texts, notes[:small], args.rounds, small, brute=False)
    whole += timed(lambda: [submission_similarity_compute(interview_pk=i.pk) for i in index[1]])
    at_full = probe(seeder, texts, notes, args.rounds, small)
    second_ids = set(SimilarPair.objects.values_list("second_interview_id", flat=True))
    found = sum(1 for n in planted if made[n].pk in second_ids)
    vendor = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"

    def row(label: str, against: int, ms: float) -> str:
        return f"  {label:<32} against {against:>6,}: {ms:8.1f} ms"

    return "\n".join(
        [
            f"{vendor}; {os.cpu_count()} CPUs; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; "
            f"{args.count:,} submissions of one test, notes of {WORDS} words, "
            f"{len(planted)} planted near-copies ({CHANGED} of their words changed)",
            f"whole set, indexed one by one through the service: {whole:.1f} s "
            f"({args.count / whole:.0f} submissions/s); planted near-copies paired: "
            f"{found}/{len(planted)}; pairs stored: {SimilarPair.objects.count()}",
            f"one new submission's comparison (median of {args.rounds}; brute force: of 3, "
            f"interleaved with the indexed ones at {args.count:,}):",
            row("indexed (MinHash + LSH bands)", small, at_small["indexed"]),
            row("indexed (MinHash + LSH bands)", args.count, at_full["indexed"]),
            row("brute force (exact Jaccard)", small, at_full["brute small"]),
            row("brute force (exact Jaccard)", args.count, at_full["brute all"]),
            f"ratio brute force at {small:,} / indexed at {args.count:,} (same moments): "
            f"{at_full['brute small'] / at_full['indexed']:.1f}x",
            f"indexed at {args.count:,} / indexed at {small:,}: "
            f"{at_full['indexed'] / at_small['indexed']:.2f} (flat when near 1)",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="submissions of the test")
    parser.add_argument("--rounds", type=int, default=15, help="new submissions timed")
    parser.add_argument("--postgres", nargs="?", const=POSTGRES_DEFAULT, help="server URL")
    parser.add_argument("--quick", action="store_true", help="a small run (CI)")
    args = parser.parse_args()
    if args.quick:
        args.count, args.rounds = 400, 3
    workdir = Path(tempfile.mkdtemp(prefix="mariohr-bench-similarity-"))
    database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    if args.postgres:
        database_url = throwaway_postgres(args.postgres)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="mariohr.settings",
        MARIOHR_VAR_DIR=str(workdir),
        DATABASE_URL=database_url,
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        text = run(args)
    finally:
        if args.postgres:
            from django.db import connections

            connections.close_all()
            throwaway_postgres(args.postgres, drop=True)
    print(text)
    if not args.quick:
        section = "postgres" if args.postgres else "sqlite"
        results_section_write(
            f"similarity {section}",
            f"### Similarity at 10,000 submissions ({section})\n\n```\n{text}\n```\n",
        )


if __name__ == "__main__":
    main()
