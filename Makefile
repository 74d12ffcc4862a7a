# make run  — create .venv, install, migrate, load the demo if the database is empty, serve
# make test — create .venv, install, lint and run the whole suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app dialogue
# Debian packages: WeasyPrint lays out the minutes with Pango; the tests drive a browser.
RUN_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fontconfig
TEST_PACKAGES := $(RUN_PACKAGES) chromium

.PHONY: run test install run-packages test-packages translations migrate lint clean

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

migrate: install run-packages
	$(FLASK) db upgrade

run: migrate
	$(FLASK) seed-demo
	$(FLASK) run --host 127.0.0.1 --port 5000

lint: install
	$(BIN)/ruff check .

test: install test-packages lint
	$(BIN)/pytest

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
