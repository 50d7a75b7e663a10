# Two commands do everything on a fresh Debian 12 / Ubuntu 24.04 machine: `make demo`, `make test`.
# Each brings the system packages and the virtual environment (.venv/) up to date first.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# What the clock-shifted second run covers (default: the whole suite).
SHIFTED_TESTS ?= tests
# Headless Qt and QtWebEngine as root (CI, servers): no sandbox, offscreen platform for tests.
export QTWEBENGINE_DISABLE_SANDBOX := 1

.PHONY: all demo test lint unit venv system-deps clean help

help:
	@echo "make demo   set up everything, start the console in demo mode"
	@echo "make test   set up everything, run lint, type checks, layer checks and the whole test suite"

system-deps:
	@sh packaging/system-deps.sh

$(STAMP): pyproject.toml packaging/system-deps.sh
	@sh packaging/system-deps.sh
	@if [ ! -x $(PY) ]; then echo "creating $(VENV)/"; $(PYTHON) -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(PY) -m app models install --if-missing
	$(PY) -m app.media generate
	$(PY) -m app demo --auto-headless

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

test: $(STAMP) lint
	@sh packaging/system-deps.sh --test
	$(PY) -m app models install --if-missing
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest
	@echo "second run: the same suite with every Python process's wall clock a year ahead"
	QT_QPA_PLATFORM=offscreen PYTHONPATH=tests/clockshift CEDC_TEST_CLOCK_SHIFT_DAYS=365 \
		$(PY) -m pytest $(SHIFTED_TESTS)

clean:
	rm -rf $(VENV) build *.egg-info
