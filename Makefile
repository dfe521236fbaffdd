# The README's two commands: `make run` and `make test`. Both create .venv when missing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
PORT ?= 8501

.PHONY: setup dev run test lint format unit app e2e chromium redis bench clean

# .venv with the app's pinned requirements (the same install the Dockerfile runs)
$(VENV)/.app-installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --no-cache-dir -r requirements.txt
	touch $@

# plus the test tools
$(VENV)/.dev-installed: $(VENV)/.app-installed requirements-dev.txt
	$(PIP) install --no-cache-dir -r requirements-dev.txt
	touch $@

setup: $(VENV)/.app-installed

dev: $(VENV)/.dev-installed

run: setup
	$(PY) -m streamlit run app.py --server.port $(PORT)

# Debian's Chromium for the browser tests (Playwright's own download cannot work here)
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; }

# Debian's redis-server for the rooms' tests (tests/redis_server.py starts it on a free port)
redis:
	@command -v redis-server >/dev/null 2>&1 || { \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server; }

lint: dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@if [ -f Dockerfile ]; then $(VENV)/bin/hadolint Dockerfile; fi

format: dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

unit: dev redis
	$(PY) -m pytest tests/unit

app: dev
	@if [ -d tests/app ]; then $(PY) -m pytest tests/app; fi

e2e: dev chromium redis
	@if [ -d tests/e2e ]; then $(PY) -m pytest tests/e2e; fi

test: lint chromium redis
	$(PY) -m pytest tests

bench: dev
	$(PY) bench/throughput.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
