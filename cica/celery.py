"""The project's Celery app.

With ``REDIS_URL`` set, tasks go through Redis to a real worker
(``make worker``); with nothing set, settings make Celery run tasks eagerly
in-process, so a laptop needs no broker.
"""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun
from django import db

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cica.settings")

app = Celery("cica")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The project package is not an installed app: name its tasks module too, so
# a separate worker process knows cica.ping (used by health checks and tests).
app.autodiscover_tasks(["cica"])


@task_prerun.connect
@task_postrun.connect
def close_old_connections(task=None, **kwargs):
    """Around each task, what Django does around each request: close the
    connection if it broke or outlived CONN_MAX_AGE, keep it otherwise
    (settings.CELERY_DB_REUSE_MAX stops the fixup from always closing it).
    Not for eager tasks: they run inside the caller's transaction."""
    if task is not None and not task.request.is_eager:
        db.close_old_connections()
