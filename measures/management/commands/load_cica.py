"""``manage.py load_cica``: the seed's registers and Catalogue. It lives in
measures, the lowest app that may import both loaders (members' registers and
measures' Catalogue and offers)."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from measures.services import catalogue_load, initiatives_from_offers
from members.services import registers_load

DEFAULT_FILE = Path(settings.BASE_DIR) / "fixtures" / "cica_2007.json"


class Command(BaseCommand):
    help = (
        "Load the CICA registers of the source document (participants, aliases, "
        "participation, chairmanship, areas, measures, coordinator offers). "
        "Idempotent: a second run changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            type=Path,
            default=DEFAULT_FILE,
            help="Data file (default: fixtures/cica_2007.json).",
        )

    def handle(self, *args, file: Path, **options):
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        with transaction.atomic():
            counts = registers_load(data)
            counts.update(catalogue_load(data))
            counts.update(initiatives_from_offers())
        created = sum(v for k, v in counts.items() if k.endswith("_created"))
        updated = sum(v for k, v in counts.items() if k.endswith("_updated"))
        unchanged = sum(v for k, v in counts.items() if k.endswith("_unchanged"))
        self.stdout.write(
            self.style.SUCCESS(
                f"CICA registers loaded from {file.name}: "
                f"{created} created, {updated} updated, {unchanged} unchanged."
            )
        )
        if options["verbosity"] > 1:
            for key in sorted(counts):
                self.stdout.write(f"  {key}: {counts[key]}")
