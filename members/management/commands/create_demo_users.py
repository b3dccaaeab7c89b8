from django.core.management.base import BaseCommand

from members.models import Participant
from members.services import demo_password, demo_users_create


class Command(BaseCommand):
    help = (
        "Create the demo users: 'secretariat', 'chair' and one head of delegation per "
        "participant ('delegate-kaz', 'delegate-osce', ...). Password from "
        "CICA_DEMO_PASSWORD, else generated once and kept in .demo-password. Idempotent."
    )

    def handle(self, *args, **options):
        if not Participant.objects.exists():
            self.stderr.write("No participants yet: run 'manage.py load_cica' first.")
        password = demo_password()
        rows = demo_users_create(password=password)
        new = sum(1 for _u, _w, created in rows if created)
        self.stdout.write(self.style.SUCCESS(f"Demo users ready: {len(rows)} ({new} new)."))
        self.stdout.write("  secretariat   — the secretariat, in the admin: /admin/")
        self.stdout.write("  chair         — the Chair's office")
        self.stdout.write(
            "  delegate-kaz  — a head of delegation (one per participant: "
            "delegate-<code in lower case>)"
        )
        self.stdout.write(f"  password for all of them: {password}")
