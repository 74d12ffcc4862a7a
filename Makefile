# make run   — create .venv, install, migrate, load the demo if the database is empty, serve
#              with Flask's development server, and work background jobs beside it
# make serve — the same production-style: migrate, serve with gunicorn (several workers),
#              work background jobs beside it (no demo: see docs/deploy/ for a real install)
# make test  — create .venv, install, lint and run the whole suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app dialogue
# Debian packages: WeasyPrint lays out the minutes with Pango; the tests drive a browser.
RUN_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fontconfig
TEST_PACKAGES := $(RUN_PACKAGES) chromium
# The feed tests read the calendars with libical too, through Debian's python3 (tests/feeds).
TEST_PACKAGES += gir1.2-ical-3.0 python3-gi
# ...and with ical.js, installed by npm from tests/feeds/js/package-lock.json.
ICALJS := tests/feeds/js/node_modules/.package-lock.json

.PHONY: run serve test install run-packages test-packages node-npm translations migrate lint clean

$(BIN)/activate:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"' \
	  || { echo "dialogue needs Python 3.11 or newer as '$(PYTHON)'."; exit 1; }
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -q python3-venv && $(PYTHON) -m venv $(VENV); \
	  else echo "Cannot create $(VENV): run 'sudo apt-get install python3-venv' first."; exit 1; fi; }

$(VENV)/.installed: $(BIN)/activate pyproject.toml
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

install: $(VENV)/.installed translations

translations: $(VENV)/.installed
	@$(BIN)/pybabel -q compile -d dialogue/translations

# Installs missing Debian packages when run as root; otherwise says which to install.
define ensure_packages
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages: $$missing"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null \
	      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null; }; \
	  else \
	    echo "dialogue needs these Debian packages: $$missing"; \
	    echo "Install them with: sudo apt-get install $$missing"; exit 1; \
	  fi; \
	fi
endef

run-packages:
	$(call ensure_packages,$(RUN_PACKAGES))

test-packages:
	$(call ensure_packages,$(TEST_PACKAGES))

# Checked by command, not dpkg: NodeSource's nodejs package brings npm without a Debian npm.
node-npm:
	@missing=$$(command -v node >/dev/null || echo nodejs; command -v npm >/dev/null || echo npm); \
	if [ -n "$$missing" ]; then \
	  missing=$$(echo $$missing); \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages: $$missing"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null \
	      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null; } \
	      || { echo "Could not install $$missing: install Node.js and npm, then run make test again."; exit 1; }; \
	  else \
	    echo "*** The feed tests need Node.js and npm (to read calendars with ical.js): $$missing missing."; \
	    echo "*** Install them with: sudo apt-get install $$missing"; exit 1; \
	  fi; \
	fi

$(ICALJS): tests/feeds/js/package-lock.json tests/feeds/js/package.json | node-npm
	@npm ci --prefix tests/feeds/js --no-audit --no-fund --loglevel=error \
	  || { echo "*** npm ci failed in tests/feeds/js: the feed tests need ical.js from the npm registry."; exit 1; }
	@touch $@

migrate: install run-packages
	$(FLASK) db upgrade

# Runs $(1) with a job worker in the background, stopped with it (Ctrl-C, or $(1) exiting):
# the worker finishes the job it is on, then stops.
define with_job_worker
	@trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	$(FLASK) jobs work & worker=$$!; \
	$(1)
endef

# Log lines for a person at a terminal (LOG_FORMAT=json for a log collector, as in production).
run: export LOG_FORMAT ?= text
run: migrate
	$(FLASK) seed-demo
	$(call with_job_worker,$(FLASK) run --host 127.0.0.1 --port 5000)

serve: migrate
	$(call with_job_worker,$(FLASK) serve)

lint: install
	$(BIN)/ruff check .

test: install test-packages $(ICALJS) lint
	$(BIN)/pytest

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
