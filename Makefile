# The two commands: `make run` and `make test`. Everything else is optional.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test lint worker bench venv clean messages backup restore

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "cica needs Python 3.11, found " + sys.version.split()[0]'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

venv: $(STAMP)

## make run: set up, migrate, load the CICA registers, create demo users, serve on 127.0.0.1:$PORT (8000)
run: venv
	./scripts/run.sh

## make test: the whole suite (SQLite by default; PostgreSQL/Redis with DATABASE_URL/REDIS_URL)
test: venv
	$(BIN)/python -m pytest

## make lint: ruff, mypy (django-stubs; strict on services, selectors, workflow and rules), Django's checks, and migrations in step with the models
lint: venv
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

## make worker: a Celery worker with the beat scheduler (needs REDIS_URL)
worker: venv
	$(BIN)/celery -A cica worker --beat --loglevel=INFO

## make backup: database (pg_dump, or SQLite's online backup) and MEDIA_ROOT into backups/<UTC stamp>/
backup: venv
	$(BIN)/python manage.py backup

## make restore FROM=backups/<stamp>: replace the database and MEDIA_ROOT with that backup (asks first)
restore: venv
	@test -n "$(FROM)" || { echo "usage: make restore FROM=backups/<stamp>"; exit 2; }
	$(BIN)/python manage.py restore "$(FROM)"

## make bench: benchmarks on a large dataset in PostgreSQL (SCALE=1, and SMALL_SCALE=0.1 for the growth; GROWTH=0 skips it); writes docs/benchmarks.md and .json
bench: venv
	./scripts/bench.sh

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
