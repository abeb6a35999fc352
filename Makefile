# The commands of the README: `make run`, `make serve` and `make test`. Each bootstraps .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app forum_kb
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run serve test lint typecheck pytest install axe clean

# Reinstall only when the dependency declarations change.
$(VENV)/.installed: setup.cfg pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

install: $(VENV)/.installed

run: install
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	$(FLASK) run --host $(HOST) --port $(PORT)

# Production-style: gunicorn with gunicorn.conf.py (HOST, PORT, WEB_CONCURRENCY, ... from the
# environment; FORUM_KB_INSTANCE_PATH moves the instance folder), against the configured
# database; no demo content.
serve: install
	$(BIN)/flask --app forum_kb.wsgi db upgrade
	$(BIN)/gunicorn --config gunicorn.conf.py

lint: install
	$(BIN)/ruff check forum_kb tests migrations
	$(BIN)/ruff format --check forum_kb tests

typecheck: install
	$(BIN)/mypy

# axe-core, for the accessibility checks of the browser tests, from the npm registry into
# .cache/axe (not committed); reinstalled when the pin changes. Without npm (or offline) the
# checks skip, except where FORUM_KB_REQUIRE_BROWSER=1 (CI) makes them fail.
AXE_VERSION := 4.10.3
AXE_DIR := .cache/axe
AXE_STAMP := $(AXE_DIR)/.installed-$(AXE_VERSION)

$(AXE_STAMP):
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --no-save --no-audit --no-fund --loglevel=error --prefix $(AXE_DIR) \
	    axe-core@$(AXE_VERSION) && touch $@ \
	    || echo "warning: could not install axe-core; the accessibility checks will skip"; \
	else \
	  echo "warning: npm not found; the accessibility checks will skip"; \
	fi

axe: $(AXE_STAMP)

pytest: install axe
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint typecheck pytest

clean:
	rm -rf $(VENV) .cache .pytest_cache .mypy_cache .ruff_cache
