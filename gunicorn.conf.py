"""gunicorn settings shared by production (scripts/run.sh) and make bench, so
that the benchmark measures the server as it runs (the floor view too)."""

import gc
import os

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))


def post_worker_init(worker):
    """Once a worker has loaded Django and the URL conf, move everything
    allocated so far out of the garbage collector's reach: those objects live
    as long as the worker, and scanning them in every full collection showed
    in the tail latency (issue 8: gc.freeze() roughly halved p95)."""
    # Imported here: the master process reads this file too, and only the
    # workers need Django.
    from django.urls import get_resolver  # noqa: PLC0415

    get_resolver().url_patterns  # noqa: B018 - import every view and serializer now
    gc.freeze()
