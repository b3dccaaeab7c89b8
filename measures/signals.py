"""How measures tells the apps above it that something happened: Django
signals, the project's one hook mechanism between apps (issue 14 item 2).

measures never imports the apps above it (secretariat keeps the outbox and
the webhooks). It sends these signals instead, and the app above connects its
receivers when it is ready (``secretariat/receivers.py``). The signals are
sent inside the writing transaction, not after it: what a receiver writes is
an outbox row (a notification, a webhook delivery) that must commit or roll
back with the change that caused it, and a receiver that fails undoes the
change. Nothing leaves the machine in a receiver: the outbox sends after
commit.
"""

from django.dispatch import Signal

# An InitiativeEvent was written by the one timeline writer
# (``measures.services._transition``). Arguments: ``initiative`` (the locked
# row) and ``event``.
timeline_written = Signal()

# Coordinators were designated. Arguments: ``initiative`` and ``designations``,
# a list of (participant, role).
coordinators_designated = Signal()

# A paper (or a revision) was stored. Argument: ``paper``.
paper_submitted = Signal()
