# Leadkeeper: `make run` to try it, `make test` to check it.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := webapp
export APP_ENV ?= development
PORT ?= 5000

.PHONY: run install assets browser migrate demo test lint format clean

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

test: install assets browser
	APP_ENV=testing $(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff format webapp tests bench worker.py
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules static/vendor
