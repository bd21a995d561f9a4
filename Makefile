# The two everyday commands: `make demo` (the pipeline end to end on generated data) and `make test`.
# Each creates .venv and installs the pinned dependencies when they are missing or out of date.

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
            command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
            && { echo $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
CDP_HOME ?= cdp_home
AIRFLOW_PORT ?= 8080

.PHONY: demo test test-fast check lint typecheck imports format install check-python check-java airflow bench clean cluster-up cluster-down

demo: install check-java ## Generate sample data and run the whole pipeline on it
	$(VENV)/bin/cdp demo

test: install check-java ## Run the test suite (PYTEST_ARGS="-n 2 --dist loadfile" runs two workers)
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: install ## The pure unit tests only: no Spark session, no Airflow run
	$(PY) -m pytest -m "not spark and not slow" $(PYTEST_ARGS)

check: lint typecheck imports test ## ruff, mypy, the import contract and the tests (what CI runs)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: install
	$(VENV)/bin/mypy

imports: install ## The layer contract: imports go downward only, no cycles (setup.cfg [importlinter])
	$(VENV)/bin/lint-imports

install: $(STAMP) check-java ## The pinned Python packages in .venv, and Delta's Spark JARs in .jars/delta (checked)
	@$(PY) -m infra.jars fetch >/dev/null || { $(PY) -m infra.jars fetch; exit 1; }

$(STAMP): setup.cfg pyproject.toml requirements.lock | check-python
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

check-python:
	@if [ -z "$(PYTHON)" ]; then \
		echo "error: Python 3.11 or newer is needed and none was found on PATH (tried python3.13, python3.12, python3.11, python3)." >&2; \
		echo "       Install it (Debian/Ubuntu: apt-get install python3 python3-venv) or run: make PYTHON=/path/to/python3.11" >&2; \
		exit 1; fi

check-java:
	@v=$$(java -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n 1); \
	if [ -z "$$v" ] || [ "$$v" -lt 17 ]; then \
		echo "error: Spark needs Java 17 or newer; found: $${v:-no java on PATH}." >&2; \
		echo "       Install it (Debian/Ubuntu: apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17)" >&2; \
		echo "       and make sure 'java -version' works or JAVA_HOME is set." >&2; \
		exit 1; fi

CLUSTER_ARGS ?=

cluster-up: install check-java ## A Spark standalone cluster on 127.0.0.1 (CLUSTER_ARGS="--workers 2 --cores 1 --memory 3g")
	$(PY) -m infra.cluster up --home "$(CDP_HOME)" $(CLUSTER_ARGS)

cluster-down: ## Stop the cluster started by cluster-up, executors included
	$(PY) -m infra.cluster down --home "$(CDP_HOME)"

airflow: install check-java ## Airflow standalone (SQLite, this project's DAGs); prints the URL and login
	CDP_HOME="$(CDP_HOME)" AIRFLOW_PORT="$(AIRFLOW_PORT)" VENV_BIN="$(CURDIR)/$(VENV)/bin" infra/airflow/standalone.sh

clean:
	rm -rf cdp_home .pytest_cache .mypy_cache .ruff_cache .jars
