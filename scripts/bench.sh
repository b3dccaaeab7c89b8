#!/usr/bin/env bash
# make bench: a fresh bench database on PostgreSQL, filled at SCALE (1 by
# default), then the implementation years (issue 17: 28 states x 26 measures x
# ten reporting cycles, whatever SCALE), then the measurements; prints the
# table and writes docs/benchmarks.md. BENCH_ONLY=implementation runs only the
# implementation years' section (printed, docs/benchmarks.md left alone).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
SCALE="${SCALE:-1}"
DURATION="${DURATION:-10}"
pg_isready -h 127.0.0.1 -p 5432 -q || pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } || true
export DATABASE_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/cica_bench}"
export REDIS_URL="${BENCH_REDIS_URL:-redis://127.0.0.1:6379/13}"
export CICA_DEMO_PASSWORD="${CICA_DEMO_PASSWORD:-bench-demo-pass}"
# The database named in the URL (cica_bench unless BENCH_DATABASE_URL names another).
DB_NAME="${DATABASE_URL##*/}"
DB_NAME="${DB_NAME%%\?*}"
psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS \"$DB_NAME\"" >/dev/null
createdb -h 127.0.0.1 -U postgres "$DB_NAME"
$BIN/python manage.py migrate -v0
$BIN/python manage.py load_cica
$BIN/python manage.py create_demo_users >/dev/null
$BIN/python manage.py bench_data --scale "$SCALE"
$BIN/python manage.py bench_implementation_data
$BIN/python -W ignore manage.py bench --duration "$DURATION" ${BENCH_ONLY:+--only "$BENCH_ONLY"}
