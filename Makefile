# The two commands of the README: `make run` and `make test`. Only Python 3.11 is needed.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi
# Development settings (a random secret key per run); production is the default without it.
export CADENCE_ENV ?= development

.PHONY: run demo-reset test lint format clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 est requis ($(PYTHON) introuvable)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo
	$(BIN)/flask run --host 127.0.0.1 --port 5000

# The demo is built around the day it is first seeded; this rebuilds it around today (default SQLite database).
demo-reset:
	rm -f instance/cadence.sqlite
	$(MAKE) run

# axe-core (pinned in package-lock.json) is injected into pages by the browser tests' accessibility check.
# npm keeps the packed files' old dates, so the file is only checked for presence (order-only).
node_modules/axe-core/axe.min.js:
	npm ci --no-audit --no-fund

test: $(VENV)/.dev-installed | node_modules/axe-core/axe.min.js
	@test -x $${CHROMIUM:-/usr/bin/chromium} || echo "*** Chromium is missing: the browser tests (tests/browser) will be SKIPPED. Install it with 'apt-get install -y chromium' (.ci/run does). ***"
	$(BIN)/pytest -n auto --dist loadfile $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check cfa tests scripts migrations config.py wsgi.py
	$(BIN)/ruff format --check cfa tests scripts migrations config.py wsgi.py

format: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix cfa tests scripts migrations config.py wsgi.py
	$(BIN)/ruff format cfa tests scripts migrations config.py wsgi.py

clean:
	rm -rf $(VENV) .pytest_cache instance/cadence.sqlite
