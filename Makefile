# The README's two commands: `make run` (demo shop, no services) and `make test` (everything).
SHELL := /bin/bash
.DEFAULT_GOAL := help
unexport PYTHONDONTWRITEBYTECODE
export UV_PYTHON_DOWNLOADS := never
export PYTHONUNBUFFERED := 1

# Django 6.1 needs Python 3.12+; the machine's default python3 may be older.
PYTHON ?= $(shell for p in python3.12 python3.13 python3.14 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 \
	&& { echo $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PRODUCTS ?= 240

# Tests use the machine's PostgreSQL and Redis (a dedicated Redis DB index and key prefix).
TEST_ENV := DATABASE_URL=$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/storefront} \
	REDIS_URL=$${TEST_REDIS_URL:-redis://127.0.0.1:6379/13} CACHE_KEY_PREFIX=storefront-test \
	DB_POOL_MAX=40

.PHONY: help run test unit e2e env python services browser check lint format bench

help:
	@echo "make run    set up and serve the demo shop at http://$(HOST):$(PORT) (no services needed)"
	@echo "make test   set up and run every test (unit + e2e) against PostgreSQL and Redis"
	@echo ""
	@echo "For contributors:"
	@echo "make check  ruff, mypy, import contracts and missing migrations (no services needed)"

python:
	@if [ -z "$(PYTHON)" ]; then \
		echo "error: Storefront needs Python 3.12 or newer (Django 6.1); none was found on PATH." >&2; \
		echo "       Install python3.12 (or set PYTHON=/path/to/python3.12) and try again." >&2; exit 1; fi

$(VENV)/.synced: pyproject.toml uv.lock | python
	@echo "Installing the locked dependencies into $(VENV) (uv sync)..."
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	@UV="$$(command -v uv || echo '$(PYTHON) -m uv')"; $$UV sync --frozen --python "$$(command -v $(PYTHON))" --compile-bytecode --quiet
	@touch $@

env: $(VENV)/.synced

run: env
	@echo "Migrating the demo database (var/storefront.sqlite3)..."
	@DEBUG=1 $(PY) manage.py migrate --no-input -v 0
	@DEBUG=1 $(PY) manage.py seed_demo --products $(DEMO_PRODUCTS)
	@DEBUG=1 $(PY) manage.py demo_staff --base-url http://$(HOST):$(PORT)
	@echo "Serving the shop at http://$(HOST):$(PORT)/ with a task worker beside it (Ctrl-C stops both)"
	@DEBUG=1 $(PY) manage.py db_worker --queue-name '*' --interval 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT) --skip-checks

services:
	@bash .ci/services

browser:
	@if [ -z "$$PLAYWRIGHT_CHROMIUM" ] && ! command -v chromium >/dev/null 2>&1; then \
		echo "Installing Debian's chromium for the e2e tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi

test: env services browser
	@$(TEST_ENV) $(PY) -m pytest tests -q
	@$(TEST_ENV) $(PY) -m pytest e2e -q

# One file or one journey: `make e2e K="coupon and js-off"`, `make unit T=tests/shop/test_cart_views.py`.
PYTEST_PICK = $(if $(K),-k "$(K)")

unit: env services
	@$(TEST_ENV) $(PY) -m pytest $(or $(T),tests) -q $(PYTEST_PICK)

e2e: env services browser
	@$(TEST_ENV) $(PY) -m pytest $(or $(T),e2e) -q $(PYTEST_PICK)

# Every static check, each run even when an earlier one fails; fails if any did. The settings
# need DEBUG=1 (or a SECRET_KEY) to load, and empty DATABASE_URL/REDIS_URL mean SQLite and no
# Redis, so this never needs a service.
CHECK_ENV := DEBUG=1 DATABASE_URL= REDIS_URL=

check: env
	@failed=""; \
	$(VENV)/bin/ruff check . || failed="$$failed ruff-check"; \
	$(VENV)/bin/ruff format --check . || failed="$$failed ruff-format"; \
	$(CHECK_ENV) $(VENV)/bin/mypy || failed="$$failed mypy"; \
	$(CHECK_ENV) $(VENV)/bin/lint-imports || failed="$$failed lint-imports"; \
	$(CHECK_ENV) $(PY) manage.py makemigrations --check --dry-run || failed="$$failed migrations"; \
	if [ -n "$$failed" ]; then echo "make check failed:$$failed" >&2; exit 1; fi

# The quick subset while editing: ruff only (`make format` fixes what it can).
lint: env
	@$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

format: env
	@$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

bench: env services
	@$(PY) bench/catalog
