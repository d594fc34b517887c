# ClusterHub — the commands the README quotes.
# One Python for the image, CI and every machine: .python-version (pyenv reads it) and the Dockerfile's
# PYTHON_IMAGE name the same minor version, and the locks are compiled for it.
PYTHON_VERSION := $(shell cat .python-version)
PYTHON ?= python$(PYTHON_VERSION)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The application plus the `demo` commands (clusterhub_dev: demo data and the benchmark, never in the image).
export FLASK_APP := clusterhub_dev

.PHONY: run test e2e screenshots chromium bench bench-postgres loadtest lint typecheck format translations install db demo clean extract lock

# Installs exactly the locked versions, each checked against its hash; the project itself goes in
# editable and without dependencies (they all come from the lock).
$(STAMP): pyproject.toml requirements/dev.txt requirements/build.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --require-hashes -r requirements/build.txt
	$(BIN)/pip install -q --require-hashes -r requirements/dev.txt
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Re-resolve the locks after changing dependencies in pyproject.toml (UPGRADE=1 also moves pinned
# versions forward). They are resolved against PyPI, the index pip uses here too (pip.conf only adds
# local copies of some of its files), so every file of a pinned version has its hash: the same lock
# installs on any platform and from either source.
UV_COMPILE = $(BIN)/uv pip compile -q --generate-hashes --python-version $(PYTHON_VERSION) \
	--custom-compile-command "make lock" --annotation-style line $(if $(UPGRADE),--upgrade)
lock:
	test -x $(BIN)/uv || { test -d $(VENV) || $(PYTHON) -m venv $(VENV); $(BIN)/pip install -q 'uv>=0.13.8,<0.14'; }
	$(UV_COMPILE) requirements/build.in -o requirements/build.txt
	$(UV_COMPILE) pyproject.toml -o requirements/runtime.txt
	$(UV_COMPILE) pyproject.toml --extra dev -c requirements/runtime.txt -o requirements/dev.txt

install: $(STAMP) translations

translations: $(STAMP)
	$(BIN)/pybabel compile -f -d translations -D messages >/dev/null

db: install
	$(BIN)/flask db upgrade
	$(BIN)/flask tenants sync

demo: db
	$(BIN)/flask demo load

# The mail worker runs beside the server and stops with it; with no MAIL_SERVER it writes every message to
# this terminal (and platform admins read them at /dev/mail).
run: demo
	$(BIN)/flask outbox send --loop & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host 127.0.0.1 --port 5000

test: install chromium
	bash tests/run.sh

# The browser tests alone (both passes, like `make test`); HEADED=1 shows the browser (needs a display).
e2e: install chromium
	bash tests/run.sh tests/e2e $(if $(HEADED),--headed --slowmo 200)

# The README's pictures (docs/screenshots/) retaken by the browser tests, on SQLite; an ordinary run writes
# them under test-results/ instead, so it leaves the tree clean.
screenshots: install chromium
	SCREENSHOTS=1 TEST_DATABASE=sqlite $(BIN)/python -m pytest -q -p no:cacheprovider -n $${TEST_WORKERS:-auto} --dist loadfile tests/e2e

# The browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
export CHROMIUM ?= /usr/bin/chromium
chromium:
	@test -x $(CHROMIUM) || command -v chromium >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1; then \
	    apt-get install -y -q chromium || { apt-get update -q && apt-get install -y -q chromium; }; \
	  else \
	    echo "Chromium is missing and apt-get is not available: install Chromium with your package manager" \
	         "and point CHROMIUM=/path/to/chromium at it; without it the browser tests are skipped (CI fails)." >&2; \
	  fi; }

bench: install
	$(BIN)/python -m clusterhub_dev.bench

# The same on PostgreSQL (a fresh database, the app as the non-owner role), as the reporting issue asks.
PG_ADMIN ?= postgresql+psycopg://postgres@127.0.0.1:5432
bench-postgres: install
	$(BIN)/python -c "import sqlalchemy as sa; e=sa.create_engine('$(PG_ADMIN)/postgres', isolation_level='AUTOCOMMIT'); c=e.connect(); c.exec_driver_sql('DROP DATABASE IF EXISTS clusterhub_bench WITH (FORCE)'); c.exec_driver_sql('CREATE DATABASE clusterhub_bench')"
	$(BIN)/python -c "import sqlalchemy as sa; e=sa.create_engine('$(PG_ADMIN)/postgres', isolation_level='AUTOCOMMIT'); c=e.connect(); r=c.exec_driver_sql(\"SELECT 1 FROM pg_roles WHERE rolname='clusterhub_app'\").first(); r or c.exec_driver_sql('CREATE ROLE clusterhub_app LOGIN')"
	BENCH_DATABASE_URL=$(PG_ADMIN)/clusterhub_bench BENCH_REDIS_URL=$${BENCH_REDIS_URL-redis://127.0.0.1:6379/12} \
	BENCH_APP_DATABASE_URL=$(subst postgres@,clusterhub_app@,$(PG_ADMIN))/clusterhub_bench \
	$(BIN)/python -m clusterhub_dev.bench

# 50 users for 60 s on PostgreSQL with a worker killed, the database cut for 5 s and SMTP down for 10 s
# (not part of `make test`; figures in docs/performance.md). LOAD_USERS and LOAD_SECONDS change the load.
loadtest: install
	$(BIN)/python tests/platform/loadtest.py

lint: install typecheck
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Strict for tenancy/, centers/ and core/, basic for the rest ([tool.mypy] in pyproject.toml).
typecheck: install
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Refresh the catalogues after adding user-facing strings; then translate the new Russian entries.
extract: install
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _l --no-location --no-wrap --sort-output -o translations/messages.pot . >/dev/null
	$(BIN)/pybabel update -i translations/messages.pot -d translations -D messages --no-fuzzy-matching --no-wrap --ignore-obsolete

clean:
	rm -rf $(VENV) instance
