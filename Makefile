# Arbiter: the product and its tests, one command each.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test lint fmt bench migrations-check messages install migrate seed clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

# Demo data once per database: seed_demo is idempotent, the marker only saves the time.
var/.demo-seeded: | migrate
	$(BIN)/python manage.py seed_demo
	touch var/.demo-seeded

seed: migrate var/.demo-seeded

run: seed
	@echo "Arbiter on http://127.0.0.1:8000 (Ctrl-C stops web, worker and beat)"
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

test: install
	$(BIN)/python manage.py makemigrations --check --dry-run > /dev/null
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# SCALE=smoke|small|1m; needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL; default: local).
# BENCH_ARGS passes options on, e.g. BENCH_ARGS="--repeat 5 --only portal".
SCALE ?= small
BENCH_DB ?= postgres://postgres@127.0.0.1:5432/arbiter_bench
BENCH_REDIS ?= redis://127.0.0.1:6379/1
bench: install
	$(BIN)/python bench/ensure_db.py "$${DATABASE_URL:-$(BENCH_DB)}"
	DATABASE_URL="$${DATABASE_URL:-$(BENCH_DB)}" REDIS_URL="$${REDIS_URL:-$(BENCH_REDIS)}" \
		$(BIN)/python -m bench.run --scale $(SCALE) $(BENCH_ARGS)

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans -l ja --ignore='.venv/*' --ignore='var/*' --ignore='tests/*' --ignore='bench/*'
	$(BIN)/python manage.py compilemessages --ignore='.venv/*'

clean:
	rm -rf var/ staticfiles/ .pytest_cache/
