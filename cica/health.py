"""``/healthz``: does this process reach the database and the Celery broker?

For load balancers and monitors. 200 while the database answers: with the
broker down the status is "degraded", not "down", because the app keeps
working and notifications wait in the outbox until the periodic re-queue hands
them over. 503 when the database does not answer. The answer names no host,
URL or user: errors are reported by exception class, the detail goes to the
log.
"""

import logging
import time

from django.db import connections
from django.db import transaction as db_transaction
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from cica.celery import app as celery_app

logger = logging.getLogger(__name__)

# Longest wait on the broker, to connect and for its answer.
BROKER_TIMEOUT_SECONDS = 2


def _ms_since(start: float) -> float:
    return round((time.monotonic() - start) * 1000, 1)


def database_status(using: str = "default") -> dict:
    """One ``SELECT 1`` on the connection this process serves requests with."""
    start = time.monotonic()
    try:
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure is an answer here, never a 500
        logger.warning("healthz: database %s unreachable: %s", using, exc)
        return {"ok": False, "ms": _ms_since(start), "error": type(exc).__name__}
    return {"ok": True, "ms": _ms_since(start)}


def broker_status() -> dict:
    """Open (and close) a connection to the Celery broker, no retries.
    Without REDIS_URL the broker is in-memory and tasks run in-process:
    nothing to reach."""
    if str(celery_app.conf.broker_url).startswith("memory://"):
        return {"ok": True, "mode": "in-process"}
    start = time.monotonic()
    try:
        with celery_app.connection_for_write(
            connect_timeout=BROKER_TIMEOUT_SECONDS,
            transport_options={
                "socket_connect_timeout": BROKER_TIMEOUT_SECONDS,
                "socket_timeout": BROKER_TIMEOUT_SECONDS,
            },
        ) as conn:
            conn.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception as exc:
        logger.warning("healthz: broker unreachable: %s", exc)
        return {"ok": False, "ms": _ms_since(start), "error": type(exc).__name__}
    return {"ok": True, "ms": _ms_since(start)}


def health_report() -> tuple[int, dict]:
    database = database_status()
    broker = broker_status()
    if not database["ok"]:
        return 503, {"status": "down", "database": database, "broker": broker}
    status = "ok" if broker["ok"] else "degraded"
    return 200, {"status": status, "database": database, "broker": broker}


@require_safe
@never_cache
@db_transaction.non_atomic_requests
def healthz(request):
    """No sign-in, no session, no transaction, never cached."""
    code, report = health_report()
    return JsonResponse(report, status=code)
