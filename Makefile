# Kefu — see README.md. `make run` starts the demo; `make test` passes the suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Django 6 needs Python >= 3.12: take the first one found on PATH or in pyenv's versions.
PYTHON ?= $(shell for p in python3.12 python3.13 $$(ls -d /root/.pyenv/versions/3.12*/bin/python3 /root/.pyenv/versions/3.13*/bin/python3 2>/dev/null); do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { command -v $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
KEFU_HOST ?= 127.0.0.1
KEFU_PORT ?= 8000
export KEFU_HOST KEFU_PORT

.PHONY: help setup run serve worker demo migrate test test-postgres test-e2e lint format bench eval-assist screenshots lock clean system-deps frontend

help:
	@echo "make run          set up and start Kefu with Chinese demo data (http://$(KEFU_HOST):$(KEFU_PORT))"
	@echo "make test         set up and run the whole test suite (SQLite + embedded task queue)"
	@echo "make test-postgres  the suite against PostgreSQL (KEFU_TEST_POSTGRES_URL) and Redis (KEFU_REDIS_URL)"
	@echo "make lint         ruff, ruff format --check, mypy, import contracts, migrations check"
	@echo "make bench        benchmarks -> docs/benchmarks.md (KEFU_BENCH_CASES, default 100000)"
	@echo "make eval-assist  agent-assist scores and latency -> docs/assist-eval.md"
	@echo "make screenshots  PNGs of the main pages -> docs/screenshots/"
	@echo "make worker       one more background worker (run as many as you like)"

$(VENV)/.installed: requirements.lock pyproject.toml
	@test -n "$(PYTHON)" || { echo "Kefu needs Python >= 3.12 (python3.12 on PATH or under pyenv)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/pip install -q --disable-pip-version-check "$$(grep -E '^uv==' requirements.lock)"
	$(UV) pip sync -q --python $(PY) requirements.lock
	$(UV) pip install -q --python $(PY) --no-deps -e .
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

frontend: node_modules/.installed
	$(PY) -m kefu.web.vendor_assets

setup: $(VENV)/.installed frontend

# Debian packages the tests need: Chromium for the browser tests, gettext for translations,
# Dovecot (an IMAP server the email-channel tests start on a free port).
system-deps:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@test -x /usr/sbin/dovecot || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null; }

migrate: setup
	KEFU_DEMO=1 $(PY) -m kefu migrate --no-input -v0

demo: migrate
	KEFU_DEMO=1 $(PY) -m kefu load_demo

run: demo
	KEFU_DEMO=1 $(PY) -m kefu collectstatic --no-input -v0
	KEFU_DEMO=1 $(PY) -m kefu serve

serve:
	$(PY) -m kefu serve

worker:
	$(PY) -m kefu run_huey

test: setup system-deps
	$(PY) -m pytest

test-postgres: setup system-deps
	KEFU_DATABASE_URL=$${KEFU_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/kefu} \
	KEFU_REDIS_URL=$${KEFU_REDIS_URL:-redis://127.0.0.1:6379/5} $(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	KEFU_DEBUG=1 $(VENV)/bin/mypy kefu
	$(VENV)/bin/lint-imports
	KEFU_DEBUG=1 $(PY) -m kefu makemigrations --check --dry-run -v0

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: setup
	$(PY) -m bench

# Agent assist: held-out precision/recall/F1 per label, rule scores, latency -> docs/assist-eval.md
eval-assist: setup
	KEFU_DEBUG=1 $(PY) -m kefu assist eval

# A CJK font so the Chinese pages render in headless chromium (Debian's WenQuanYi, ~5 MB).
screenshots: setup system-deps
	@fc-list 2>/dev/null | grep -qi "wqy\|noto sans cjk" || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null; }
	$(PY) -m pytest tests/e2e/test_screenshots.py -m e2e --screenshots

lock:
	$(UV) pip compile -q pyproject.toml --extra dev -o requirements.lock --python-version 3.12

clean:
	rm -rf $(VENV) node_modules var .mypy_cache .ruff_cache
