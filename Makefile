# make run: set up everything and run web, worker, recorder and beat (embedded defaults).
# make test: set up everything and run the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
export PORT

.PHONY: run test fuzz install migrate lint browsers clean bench bench-delivery bench-recording bench-scale bench-similarity wrk

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

# Links in emails and reports follow PORT unless MARIOHR_BASE_URL says otherwise.
run: export MARIOHR_BASE_URL ?= http://127.0.0.1:$(PORT)
run: migrate
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py seed_demo
	$(BIN)/honcho start -f Procfile

# Tests run in TEST_WORKERS processes (pytest-xdist); tests/xdist_env.py gives each its own
# var/ folder and Redis database. TEST_WORKERS=0 runs them in this one process.
TEST_WORKERS ?= 3
test: install browsers
	$(BIN)/python -m pytest -p tests.xdist_env -n $(TEST_WORKERS) --dist worksteal

# The schemathesis run of `make test`, with many more examples per operation (minutes).
fuzz: export MARIOHR_FUZZ_EXAMPLES ?= 1000
fuzz: install
	$(BIN)/python -m pytest -q tests/test_schema_fuzz.py

# Browser tests drive Debian's chromium (never Playwright's download); install it when missing.
browsers:
	@test -x /usr/bin/chromium || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; } \
		|| echo "chromium missing: browser tests will be skipped (run as root to install it)"

# Partner-API req/s and latency of the product against a bare Django app doing the same
# queries, side by side under gunicorn (needs wrk):
# make bench [BENCH_ARGS="--quick" | "--postgres --cache redis://127.0.0.1:6379/15"]
bench: install wrk
	$(BIN)/python benchmarks/api.py $(BENCH_ARGS)

# wrk drives the API benchmark (Python client threads would eat the CPUs the servers need).
wrk:
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk; } \
		|| { echo "wrk missing: install it (apt-get install wrk)"; exit 1; }

# Results PATCHes per second against raw requests; --postgres, --scale-out (PostgreSQL and
# Redis: 1, 2 and 4 workers against a 200 ms receiver, exactly once by webhook-id):
# make bench-delivery [BENCH_ARGS="--quick" | "--postgres" | "--postgres --scale-out"]
bench-delivery: install
	$(BIN)/python benchmarks/delivery.py $(BENCH_ARGS)

# Recording processing seconds per minute of recording and peak worker memory (1, 10 and
# 60 minutes; several minutes): make bench-recording [BENCH_ARGS="--quick"]
bench-recording: install
	$(BIN)/python benchmarks/recording.py $(BENCH_ARGS)

# test_status p50 and admin list times at 10,000 and 1,000,000 interviews on PostgreSQL
# (seeding takes minutes): make bench-scale [BENCH_ARGS="--quick" | "--reuse"]
bench-scale: install
	$(BIN)/python benchmarks/scale.py $(BENCH_ARGS)

# One new submission compared against 1,000 and 10,000 others of a test (MinHash + LSH bands)
# against a brute-force baseline: make bench-similarity [BENCH_ARGS="--quick" | "--postgres"]
bench-similarity: install
	$(BIN)/python benchmarks/similarity.py $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var
