#!/usr/bin/env bash
# make bench: fresh bench databases on PostgreSQL, then the measurements;
# prints the tables and writes docs/benchmarks.md (and its figures as
# docs/benchmarks.json; the last run's are kept as docs/benchmarks-previous.*).
#
# Two databases (issue 18 target 6, growth): a small one filled at
# SMALL_SCALE (0.1), where a light run records only the figures that could
# grow with the data (queries, in-process p95s, memory) into a JSON file, and
# the big one at SCALE (1 by default), where the whole bench runs and prints
# how each of those figures grew. Both get the implementation years (issue 17:
# 28 states x 26 measures x ten reporting cycles, whatever the scale).
# GROWTH=0 skips the small database. BENCH_ONLY=implementation runs only the
# implementation years' section on the big one (printed, docs/ left alone).
#
# The schema and the registers are built once (migrate takes most of a
# minute) and the big database is copied from the small one before its data.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
SCALE="${SCALE:-1}"
SMALL_SCALE="${SMALL_SCALE:-0.1}"
DURATION="${DURATION:-10}"
GROWTH="${GROWTH:-1}"
[ -z "${BENCH_ONLY:-}" ] || GROWTH=0
pg_isready -h 127.0.0.1 -p 5432 -q || pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } || true
BIG_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/cica_bench}"
export REDIS_URL="${BENCH_REDIS_URL:-redis://127.0.0.1:6379/13}"
export CICA_DEMO_PASSWORD="${CICA_DEMO_PASSWORD:-bench-demo-pass}"

# The database named in a URL (cica_bench unless BENCH_DATABASE_URL names another).
db_name() { local name="${1##*/}"; echo "${name%%\?*}"; }
BIG_DB="$(db_name "$BIG_URL")"
SMALL_URL="${BENCH_SMALL_DATABASE_URL:-${BIG_URL%/*}/${BIG_DB}_s01}"
SMALL_DB="$(db_name "$SMALL_URL")"
GROWTH_JSON="$(mktemp -t cica-bench-growth.XXXXXX.json)"
trap 'rm -f "$GROWTH_JSON"' EXIT

fresh() {  # fresh DB [TEMPLATE]
    psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS \"$1\"" >/dev/null
    createdb -h 127.0.0.1 -U postgres ${2:+-T "$2"} "$1"
}
schema() {  # the tables, the CICA registers and the demo users
    $BIN/python manage.py migrate -v0
    $BIN/python manage.py load_cica
    $BIN/python manage.py create_demo_users >/dev/null
}
data() {  # data SCALE
    $BIN/python manage.py bench_data --scale "$1"
    $BIN/python manage.py bench_implementation_data
}

if [ "$GROWTH" != 0 ]; then
    fresh "$SMALL_DB"
    DATABASE_URL="$SMALL_URL" schema
    fresh "$BIG_DB" "$SMALL_DB"
    DATABASE_URL="$SMALL_URL" data "$SMALL_SCALE"
    # Light: short wrk rows (only for the workers' peak memory), no PDFs.
    DATABASE_URL="$SMALL_URL" $BIN/python -W ignore manage.py bench --scale "$SMALL_SCALE" \
        --duration 5 --growth-record "$GROWTH_JSON"
else
    fresh "$BIG_DB"
    DATABASE_URL="$BIG_URL" schema
fi
export DATABASE_URL="$BIG_URL"
data "$SCALE"
GROWTH_FROM=()
[ "$GROWTH" = 0 ] || GROWTH_FROM=(--growth-from "$GROWTH_JSON")
$BIN/python -W ignore manage.py bench --scale "$SCALE" --duration "$DURATION" \
    ${BENCH_ONLY:+--only "$BENCH_ONLY"} "${GROWTH_FROM[@]}" ${BENCH_OUTPUT:+--output "$BENCH_OUTPUT"}
