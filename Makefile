# Yichuang — the project's commands. `make run` and `make test` are all a fresh
# machine needs; `make install` is called by the others.

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ECHARTS := src/yichuang/static/insights/vendor/echarts.min.js
PYTHON := $(shell for p in python3.13 python3.12 python3.11 python3; do \
  command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  2>/dev/null && { echo $$p; break; }; done)
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PASSWORD ?= Demo@2026
DEMO_MONTHS ?= 3
PYTEST_ARGS ?=
# pytest processes for `make test` (pytest-xdist; each test file stays in one
# process, each process has its own test database); 0 runs in this process only
PYTEST_WORKERS ?= 2

.PHONY: install sysdeps run test bench fuzz lint messages clean voices

install: $(STAMP) $(ECHARTS)

$(STAMP): pyproject.toml requirements.lock
	@test -n "$(PYTHON)" || { echo "需要 Python ≥ 3.11 (Python 3.11 or newer is required)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

# Browser libraries from the npm registry (package-lock.json), served by the app
# itself: `npm ci` runs only when node_modules is missing or the lock changed.
node_modules/.package-lock.json: package-lock.json
	npm ci --omit=dev --no-audit --no-fund
	@touch $@

$(ECHARTS): node_modules/.package-lock.json
	@mkdir -p $(@D)
	cp node_modules/echarts/dist/echarts.min.js $@

# Debian packages: Chromium for the browser tests, a CJK font for PDFs.
sysdeps:
	@bash scripts/sysdeps.sh

# Development: DEBUG on (tracebacks, static files from the source tree).
run: export YICHUANG_DEBUG ?= 1
run: install sysdeps voices
	$(BIN)/yichuang migrate --noinput -v 0
	$(BIN)/yichuang collectstatic --noinput -v 0
	$(BIN)/yichuang seed-demo --if-empty --always-open --months $(DEMO_MONTHS) --password '$(DEMO_PASSWORD)'
	@echo ""
	@echo "一窗演示县： http://$(HOST):$(PORT)/   （演示账号见上，密码：$(DEMO_PASSWORD)）"
	@echo "Demo logins: admin, director, dept_rs, clerk_county, clerk_town, inspector, clerk_w01…  password: $(DEMO_PASSWORD)"
	@echo "后台任务（叫号短信、办件预警、数据汇总）随服务一起运行 / the worker runs alongside."
	$(BIN)/yichuang worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/yichuang serve --host $(HOST) --port $(PORT)

# The hall display's Mandarin voice fragments (espeak-ng + sox; see docs/queueing.md).
voices:
	@bash src/yichuang/queueing/voices.sh src/yichuang/static/queueing/voice

test: install sysdeps
	$(BIN)/yichuang makemigrations --check --dry-run -v 0
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

bench: install sysdeps
	@for f in bench/bench_*.py; do $(BIN)/python $$f || exit 1; done

# A longer fuzzing pass over the API than the suite's (schemathesis, every demo
# persona, FUZZ_EXAMPLES per operation): one JSON line, non-zero on any failure.
fuzz: install
	$(BIN)/python bench/fuzz_api.py

lint: install
	$(BIN)/ruff check src tests e2e bench
	$(BIN)/ruff format --check src tests e2e bench
	$(BIN)/mypy

messages: install
	cd src/yichuang && ../../$(BIN)/yichuang makemessages -l en -v 0
	$(BIN)/python scripts/po_fill.py src/yichuang/locale/en/LC_MESSAGES/django.po src/yichuang/locale/glossary-en.tsv
	cd src/yichuang && ../../$(BIN)/yichuang compilemessages -v 0

clean:
	rm -rf $(VENV) var
