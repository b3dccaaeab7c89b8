"""The project's Celery app.

With ``REDIS_URL`` set, tasks go through Redis to a real worker
(``make worker``); with nothing set, settings make Celery run tasks eagerly
in-process, so a laptop needs no broker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cica.settings")

app = Celery("cica")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The project package is not an installed app: name its tasks module too, so
# a separate worker process knows cica.ping (used by health checks and tests).
app.autodiscover_tasks(["cica"])
