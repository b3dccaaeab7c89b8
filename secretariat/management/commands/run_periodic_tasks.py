import time

from django.core.management.base import BaseCommand

from implementation.services import reporting
from secretariat import services


class Command(BaseCommand):
    help = (
        "Run the periodic work once (or every N seconds with --every): re-queue pending "
        "e-mails, send reminders, summarise passed deadlines, close silence procedures. "
        "With Redis, Celery beat does this; on the embedded default `make run` runs this."
    )

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds.")

    def handle(self, *args, every: int, **options):
        while True:
            requeued = services.notifications_requeue() + services.webhooks_requeue()
            reminded = (
                services.circulations_send_reminders()
                + services.information_send_co_submission_reminders()
                + reporting.cycles_send_return_reminders()
            )
            summarised = [
                *services.circulations_summarise_deadlines(),
                *reporting.cycles_summarise_returns(),
            ]
            closed = services.silence_procedures_close()
            if options["verbosity"] > 1 or any((requeued, reminded, summarised, closed)):
                self.stdout.write(
                    f"periodic: {requeued} e-mails and webhooks re-queued, {reminded} reminders, "
                    f"{len(summarised)} deadline summaries, {len(closed)} silence procedures closed"
                )
            if not every:
                return
            time.sleep(every)
