#!/usr/bin/env bash
# The whole suite: once on SQLite, then on PostgreSQL when it is reachable. On CI (CI=true) PostgreSQL is
# required: an unreachable server fails the run instead of being skipped.
# Each pass runs on every core (pytest-xdist, TEST_WORKERS=auto; TEST_WORKERS=0 runs in one process): each
# worker has its own application, database (SQLite file in its own tmp directory, PostgreSQL database
# named by a uuid) and instance folder. A test file stays on one worker, so module fixtures are built once.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PG_URL="${TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}"
PARALLEL=(-n "${TEST_WORKERS:-auto}" --dist loadfile)

echo "== SQLite"
TEST_DATABASE=sqlite $PY -m pytest -q -p no:cacheprovider "${PARALLEL[@]}" "$@"

if $PY - "$PG_URL" <<'PYEOF'
import sys
import sqlalchemy as sa
try:
    sa.create_engine(sys.argv[1]).connect().close()
except Exception as exc:
    print(f"PostgreSQL not reachable: {exc.__class__.__name__}", file=sys.stderr)
    sys.exit(1)
PYEOF
then
  echo "== PostgreSQL"
  TEST_DATABASE=postgresql TEST_POSTGRES_URL="$PG_URL" $PY -m pytest -q -p no:cacheprovider "${PARALLEL[@]}" "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "CI: PostgreSQL is required but not reachable at $PG_URL" >&2
  exit 1
else
  echo "PostgreSQL not reachable: its pass was not run (CI runs it)."
fi
