#!/usr/bin/env bash
# make run: migrate, load the registers, create the demo users, then serve.
# With REDIS_URL set a Celery worker (with beat) runs beside the server and
# stops with it; with DEBUG=false the server is gunicorn behind whitenoise.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PORT="${PORT:-8000}"

$BIN/python manage.py migrate --noinput -v0
$BIN/python manage.py load_cica
$BIN/python manage.py create_demo_users

worker_pid=""
cleanup() { [ -n "$worker_pid" ] && kill "$worker_pid" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

if [ -n "${REDIS_URL:-}" ]; then
  echo "Starting a Celery worker on ${REDIS_URL%%@*}…"
  $BIN/celery -A cica worker --beat --loglevel=WARNING &
  worker_pid=$!
else
  echo "No REDIS_URL: Celery tasks run in-process; periodic work runs every minute."
  $BIN/python manage.py run_periodic_tasks --every 60 &
  worker_pid=$!
fi

echo
echo "cica is serving on http://127.0.0.1:${PORT}/  (admin: /admin/, API: /api/v1/, docs: /api/docs/)"
case "${DEBUG:-true}" in
  0|false|False|FALSE|no|off)
    $BIN/python manage.py collectstatic --noinput -v0
    $BIN/gunicorn cica.wsgi --config gunicorn.conf.py --bind "127.0.0.1:${PORT}" &
    ;;
  *)
    $BIN/python manage.py runserver "127.0.0.1:${PORT}" &
    ;;
esac
server_pid=$!
wait "$server_pid"
