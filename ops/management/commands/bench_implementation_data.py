"""Add the implementation years (issue 17) to the bench database: 28 member
states, the 26 measures with their adopted initiative, coordinators,
approved action plan and activities, ten reporting cycles with their returns
(``ops/bench_implementation.py``). Runs after ``load_cica`` (and
``bench_data``) in ``make bench``; works on PostgreSQL and SQLite."""

import json
import time

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from ops import bench_implementation


class Command(BaseCommand):
    help = (
        "Add the implementation years (plans, activities, ten reporting cycles) to the bench data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2017)
        parser.add_argument("--first-year", type=int, default=bench_implementation.FIRST_YEAR)
        parser.add_argument("--years", type=int, default=bench_implementation.YEARS)
        parser.add_argument(
            "--activities-per-year", type=int, default=bench_implementation.ACTIVITIES_PER_YEAR
        )

    def handle(
        self, *args, seed: int, first_year: int, years: int, activities_per_year: int, **options
    ):
        if years < 1 or activities_per_year < 0:
            raise CommandError("--years is at least 1 and --activities-per-year at least 0.")
        started = time.monotonic()
        try:
            counts = bench_implementation.build(
                seed=seed,
                first_year=first_year,
                years=years,
                activities_per_year=activities_per_year,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if connection.vendor == "postgresql":
            # Fresh tables: statistics for the planner, as a database in
            # service has (ANALYZE, unlike VACUUM, runs in a transaction).
            with connection.cursor() as cursor:
                for model in apps.get_app_config("implementation").get_models(
                    include_auto_created=True
                ):
                    cursor.execute(f"ANALYZE {model._meta.db_table}")
        self.stdout.write(
            f"implementation years (seed {seed}, {first_year}–{first_year + years - 1}) "
            f"written in {time.monotonic() - started:.1f} s: " + json.dumps(counts)
        )
