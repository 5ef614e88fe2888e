# Leadkeeper: `make run` to try it, `make test` to check it.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := webapp
export APP_ENV ?= development
PORT ?= 5000

# `make run` wires the demo workspace's pipeline to the sandbox provider under /sandbox
# (SANDBOX_PROVIDERS=0 make run to leave it out).
run demo: export SANDBOX_PROVIDERS ?= 1

.PHONY: run install assets browser redis-binary migrate demo test bench wrk lint format clean

run: install assets migrate demo
	@echo ""
	@echo "Leadkeeper is starting on http://127.0.0.1:$(PORT)"
	@echo "Sign in as admin@demo.example.com (admin) or rep@demo.example.com (rep), password: leadkeeper-demo"
	@echo ""
	BASE_URL=$${BASE_URL:-http://127.0.0.1:$(PORT)} $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

static/vendor/Sortable.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund
	npm run vendor

assets: static/vendor/Sortable.min.js

migrate: install
	$(BIN)/flask db upgrade

demo: install
	BASE_URL=$${BASE_URL:-http://127.0.0.1:$(PORT)} $(BIN)/flask demo load

# Browser tests drive Debian's chromium (Playwright cannot download a browser here).
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is not installed: browser tests will be skipped"; fi; }

# Fault tests (tests/faults/) stop and freeze a redis-server of their own, never the
# machine's: they need the binary, not a running service.
redis-binary:
	@test -x /usr/bin/redis-server || command -v redis-server >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && apt-get install -y -qq redis-server >/dev/null; \
	  else echo "redis-server is not installed: the Redis fault tests will be skipped"; fi; }

# Two processes (pytest-xdist), each with its own database and Redis db (tests/backends.py).
# TEST_WORKERS=0 runs in one process; PYTEST_ARGS adds pytest options (a later -n wins).
TEST_WORKERS ?= 2
test: install assets browser redis-binary
	APP_ENV=testing $(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# Every bench/ script, small sizes (BENCH_SCALE=full: a million leads), into bench/RESULTS.md.
# Needs PostgreSQL (DATABASE_URL, else 127.0.0.1:5432) and Redis (REDIS_URL, else db 15).
bench: install wrk
	$(BIN)/python bench/_run_all.py

# bench/capture.py drives the load with wrk.
wrk:
	@command -v wrk >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && apt-get install -y -qq wrk >/dev/null; \
	  else echo "wrk is not installed (apt-get install wrk): bench/capture.py will fail"; fi; }

lint: install
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff format webapp tests bench worker.py
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules static/vendor
