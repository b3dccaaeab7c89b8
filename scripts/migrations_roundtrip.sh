#!/usr/bin/env bash
# Every migration can be undone: on a scratch PostgreSQL database, migrate,
# load the registers and the demo users, take our apps (members, measures,
# secretariat) back to zero with those rows in place (so data migrations and
# re-added constraints meet real data), then the other apps, check nothing is
# left applied, then migrate forward again. Apps go in reverse order of their last migration. Fails on the first
# error. MIGRATE_DB names the scratch database (cica_migrate by default); it
# is dropped and created afresh, and dropped at the end.
#
# One exception: Django's own auth.0002_alter_permission_name_max_length
# shortens permission names back to 50 characters on the way down, which the
# permissions of our models (re-created after every migrate) do not fit; they
# are emptied just before auth goes to zero.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
DB="${MIGRATE_DB:-cica_migrate}"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
export CICA_DEMO_PASSWORD="${CICA_DEMO_PASSWORD:-migrate-roundtrip-pass}"
unset REDIS_URL  # tasks in-process: nothing here needs a broker

PGOPTIONS="-c client_min_messages=warning" psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $DB" >/dev/null
createdb -h 127.0.0.1 -U postgres "$DB"
trap 'PGOPTIONS="-c client_min_messages=warning" psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true' EXIT

$BIN/python manage.py migrate --noinput -v0
$BIN/python manage.py load_cica >/dev/null
$BIN/python manage.py create_demo_users >/dev/null

apps=$($BIN/python - <<'EOF'
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cica.settings")
django.setup()
from django.db import connection
from django.db.migrations.loader import MigrationLoader

graph = MigrationLoader(connection).graph
plan = []  # every migration, each after its dependencies
for leaf in sorted(graph.leaf_nodes()):
    plan += [node for node in graph.forwards_plan(leaf) if node not in plan]
last = {app: index for index, (app, _name) in enumerate(plan)}
print(" ".join(sorted(last, key=last.get, reverse=True)))
EOF
)
echo "apps, last first: $apps"
ours="secretariat measures members"
for app in $apps; do
  case " $ours " in *" $app "*)
    echo "-- $app to zero (with the registers loaded)"
    $BIN/python manage.py migrate "$app" zero --noinput -v0 ;;
  esac
done
for app in $apps; do
  case " $ours " in *" $app "*) ;; *)
    echo "-- $app to zero"
    if [ "$app" = auth ]; then
      PGOPTIONS="-c client_min_messages=warning" psql -h 127.0.0.1 -U postgres -q -d "$DB" -c "TRUNCATE auth_permission CASCADE" >/dev/null
    fi
    $BIN/python manage.py migrate "$app" zero --noinput -v0 ;;
  esac
done

applied=$($BIN/python manage.py showmigrations --plan | grep -c '^\[X\]' || true)
if [ "$applied" != "0" ]; then
  echo "still applied after going to zero:"
  $BIN/python manage.py showmigrations --plan | grep '^\[X\]'
  exit 1
fi

echo "-- forward again"
$BIN/python manage.py migrate --noinput -v0
$BIN/python manage.py migrate --check --noinput -v0
$BIN/python manage.py load_cica >/dev/null
echo "migrations: every app to zero and back: passed"
