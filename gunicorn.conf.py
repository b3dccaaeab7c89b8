"""gunicorn settings shared by production (scripts/run.sh, the Procfile: gunicorn
reads ./gunicorn.conf.py by default) and make bench, so that the benchmark
measures the server as it runs (the floor view too)."""

import gc
import os

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))

# The master loads Django before it listens, then forks the workers from it.
# Without this the master listened at once and each worker loaded Django
# itself (1.3 s of CPU): the first requests were accepted and then waited for
# the boot (issue 18: the measures row's p99 under wrk was that wait), and so
# would every request behind a worker restarted after a crash. A new release
# needs a restart of the master (scripts/run.sh does that), not a HUP.
preload_app = True


def when_ready(server):
    """In the master after the preload, before the first fork: import every
    view and serializer now, close any database connection (a forked worker
    must not share one with its siblings), and move everything allocated so
    far out of the garbage collector's reach: those objects live as long as
    the workers, scanning them in every full collection showed in the tail
    latency (issue 8: gc.freeze() roughly halved p95), and the workers then
    share their pages with the master instead of copying them."""
    # Imported here: this file is read before the app is loaded.
    from django.db import connections  # noqa: PLC0415
    from django.urls import get_resolver  # noqa: PLC0415

    get_resolver().url_patterns  # noqa: B018 - import every view and serializer now
    connections.close_all()
    gc.freeze()


def post_worker_init(worker):
    """In each worker: freeze what the fork and the worker's setup allocated
    (the app itself was frozen in the master by when_ready)."""
    gc.freeze()
