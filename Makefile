# Two commands for a fresh machine with Python 3 and git:
#   make run    set everything up and serve the app on http://127.0.0.1:8000 (SQLite, local outbox)
#   make test   set everything up and run the whole suite (lint, types, tests on SQLite and PostgreSQL)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export SCARF_ANALYTICS := false

.PHONY: run test setup lint test-sqlite test-postgres bench clean

run: setup
	$(BIN)/cloudcity serve

test: setup node_modules/.installed lint test-sqlite test-postgres

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	bash scripts/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

lint:
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

test-sqlite:
	$(BIN)/pytest

test-postgres:
	CLOUDCITY_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .mypy_cache .ruff_cache
