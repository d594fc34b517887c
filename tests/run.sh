#!/usr/bin/env bash
# The whole suite: on SQLite and on PostgreSQL when it is reachable. On CI (CI=true) PostgreSQL is required:
# an unreachable server fails the run instead of being skipped.
# The passes run one after the other. TEST_PASSES=overlap runs them at the same time (the PostgreSQL pass's
# output then follows the SQLite one's); on 2 cores it was not faster: 7 min 58 s against 7 min 34 s one
# after the other, on a quiet machine.
# Each pass runs on every core (pytest-xdist, TEST_WORKERS=auto; TEST_WORKERS=0 runs in one process): each
# worker has its own application, database (SQLite file in its own tmp directory, PostgreSQL database
# named by a uuid) and instance folder. A test file stays on one worker, so module fixtures are built once.
# Where the time goes: the browser tests (tests/e2e) were 60 % of each pass's worker time (Chromium rendering
# each page at two widths, axe-core), so they run once, in the PostgreSQL pass (see below); tests that touch
# no database (marked backend_independent: the wheel build, the Helm chart, gunicorn's settings, the import
# graph, fresh-interpreter and catalogue checks) run once, in the SQLite pass. The per-test emptying of the
# database asks once which tables hold rows and empties only those (tests/fixtures/app.py).
# Measured 2026-12-04 on a quiet machine (2 CPUs), `time make test`: SQLite 1:12 (1,560 passed, 48 skipped),
# PostgreSQL 3:52 (1,425 passed, 183 skipped), 5 min 11 s in all with the reinstall a pyproject change asks
# for. The same machine that hour, before (browser tests in both passes): SQLite 3:14, PostgreSQL 4:13.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PG_URL="${TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}"
PARALLEL=(-n "${TEST_WORKERS:-auto}" --dist loadfile)

postgres_pass() {
  E2E_BACKEND="$e2e_backend" TEST_DATABASE=postgresql TEST_POSTGRES_URL="$PG_URL" $PY -m pytest -q -p no:cacheprovider "${PARALLEL[@]}" "$@"
}

postgres=yes
if ! $PY - "$PG_URL" <<'PYEOF'
import sys
import sqlalchemy as sa
try:
    sa.create_engine(sys.argv[1]).connect().close()
except Exception as exc:
    print(f"PostgreSQL not reachable: {exc.__class__.__name__}", file=sys.stderr)
    sys.exit(1)
PYEOF
then
  if [ "${CI:-}" = "true" ]; then
    echo "CI: PostgreSQL is required but not reachable at $PG_URL" >&2
    exit 1
  fi
  postgres=no
fi

# The browser tests (tests/e2e) run once: in the PostgreSQL pass (production's database), or in the SQLite
# pass when PostgreSQL is not reachable. They check what a browser meets (layout at two widths, axe-core,
# scripts, CSP, translations), which does not depend on the database; every request they make is an HTTP
# route that the rest of the suite tests on both backends. They were 60 % of each pass's worker time.
e2e_backend=sqlite
[ "$postgres" = yes ] && e2e_backend=postgresql

pg_pid=""
pg_log=""
if [ "$postgres" = yes ] && [ "${TEST_PASSES:-serial}" = overlap ]; then
  pg_log="$(mktemp)"
  postgres_pass "$@" >"$pg_log" 2>&1 &
  pg_pid=$!
  # an interrupted run stops the PostgreSQL pass too
  trap 'kill "$pg_pid" 2>/dev/null || true; rm -f "$pg_log"; exit 130' INT TERM
fi

echo "== SQLite"
sqlite_status=0
E2E_BACKEND="$e2e_backend" TEST_DATABASE=sqlite $PY -m pytest -q -p no:cacheprovider "${PARALLEL[@]}" "$@" || sqlite_status=$?

pg_status=0
if [ -n "$pg_pid" ]; then
  wait "$pg_pid" || pg_status=$?
  echo "== PostgreSQL"
  cat "$pg_log"
  rm -f "$pg_log"
elif [ "$postgres" = yes ]; then
  echo "== PostgreSQL"
  postgres_pass "$@" || pg_status=$?
else
  echo "PostgreSQL not reachable: its pass was not run (CI runs it)."
fi

[ "$sqlite_status" -eq 0 ] && [ "$pg_status" -eq 0 ]
