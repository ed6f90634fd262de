# `make` sets up a local virtual environment (works where the system pip refuses
# to install, PEP 668) and builds dist/; `make test` adds the test tools and runs
# the whole suite. `python build.py` stays the way to rebuild (it runs inside .venv/).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python

.PHONY: all build test bench clean

all: build

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

build: $(VENV)/.installed
	$(PY) build.py

# The browser tests drive Debian's chromium (Playwright downloads nothing): installed here
# when missing and we are root (CI is); otherwise those tests say why they are skipped.
test: $(VENV)/.test-installed
	@command -v chromium >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)
	$(PY) -m pytest

bench: $(VENV)/.installed
	$(PY) benchmarks/bench.py

clean:
	rm -rf dist
