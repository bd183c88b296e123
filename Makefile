# Two commands for a fresh machine with Python 3 and git:
#   make run    set everything up and serve the app on http://127.0.0.1:8000 (SQLite, local outbox)
#   make test   set everything up and run the whole suite (lint, types, tests on SQLite and PostgreSQL)
# After changing the dependencies in pyproject.toml: `make lock`, then commit uv.lock with it.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
# One pin for uv, read from pyproject.toml's [tool.uv] required-version (uv enforces it too).
UV_VERSION := $(shell sed -n 's/^required-version = "==\(.*\)"/\1/p' pyproject.toml)
UV_STAMP := $(VENV)/.uv-$(UV_VERSION)
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
TEST_WORKERS ?= 2
export SCARF_ANALYTICS := false
# uv installs into .venv with the Python that made it, and never downloads a Python.
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never

# pipefail: a test run piped through its label still fails the build when pytest fails.
SHELL := bash
.SHELLFLAGS := -o pipefail -c

PARALLEL := -n $(TEST_WORKERS) -m "not serial"
SERIAL := -p no:xdist -m serial
ON_POSTGRES := CLOUDCITY_TEST_DATABASE_URL=$(PG_TEST_URL)
# Each line of a run's output, as it comes, behind the run's name: [sqlite] or [postgres].
label = awk '{ print "[$(1)] " $$0; fflush() }'

.PHONY: run test setup lock lint test-sqlite test-postgres test-serial bench clean

run: setup
	$(BIN)/cloudcity serve

# The two databases side by side (each on $(TEST_WORKERS) workers), then the tests that need
# the machine to themselves, one at a time.
test: setup node_modules/.installed lint
	@$(MAKE) --no-print-directory -j2 test-sqlite test-postgres
	@$(MAKE) --no-print-directory test-serial

setup: $(VENV)/.installed

# uv itself, from PyPI, into the project's own environment (no global tool).
$(UV_STAMP):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	touch $@

# Exactly what uv.lock says, the project itself editable; refused when the lock is stale.
# Compiled to bytecode up front: where PYTHONDONTWRITEBYTECODE is set, every process would
# otherwise compile SQLAlchemy and the rest from source at each start (~3 s for a worker).
$(VENV)/.installed: pyproject.toml uv.lock $(UV_STAMP)
	bash scripts/system-deps.sh
	@$(UV) lock --check || { \
	    echo "uv.lock does not match pyproject.toml: run 'make lock' and commit uv.lock" >&2; \
	    exit 1; }
	$(UV) sync --frozen --extra dev --compile-bytecode
	$(BIN)/python -m compileall -q src
	touch $@

lock: $(UV_STAMP)
	$(UV) lock

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

lint:
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

test-sqlite:
	$(BIN)/pytest $(PARALLEL) 2>&1 | $(call label,sqlite)

test-postgres:
	$(ON_POSTGRES) $(BIN)/pytest $(PARALLEL) 2>&1 | $(call label,postgres)

test-serial:
	$(BIN)/pytest $(SERIAL)
	$(ON_POSTGRES) $(BIN)/pytest $(SERIAL)

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .mypy_cache .ruff_cache
