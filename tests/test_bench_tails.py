"""issue 18 target 3 (tails): make bench's in-process percentiles are taken
among the samples, and the samples are timed with the objects alive after the
warm-up frozen, as the gunicorn workers run (gunicorn.conf.py); sections 2
and 6 alike (target 6: section 6's report pages had a p95 of one pause)."""

import gc
import importlib
import io
import statistics

import pytest
from django.core.management import call_command

from ops.management.commands.bench import (
    IMPLEMENTATION_REPEAT,
    Command,
    _gc_frozen,
    _samples,
    _tails,
)


def test_p99_is_never_past_the_slowest_sample():
    """With 40 samples statistics' default (exclusive) method put p99 past the
    slowest one: one 250 ms pause among 10 ms reads read as a p99 of 349 ms."""
    timings = [10.0] * 39 + [250.0]
    assert statistics.quantiles(timings, n=100)[98] > 250  # the old figure
    p50, p95, p99 = _tails(timings)
    assert p50 == p95 == 10.0
    assert p99 <= max(timings)


def test_p99_of_200_samples_is_not_defined_by_one_pause():
    """200 samples a read (bench.latencies' default): a single pause is the
    slowest sample, not the 99th percentile."""
    timings = [10.0] * 199 + [250.0]
    assert _tails(timings)[2] < 2 * _tails(timings)[1] + 1e-9


def test_the_samples_are_timed_with_the_warm_objects_frozen():
    assert gc.get_freeze_count() == 0
    kept: list[list[int]] = [[] for _ in range(10)]  # alive, tracked by the collector
    with _gc_frozen():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0  # unfrozen for the sections after it
    assert kept


def test_section6_p95_is_not_one_pause():
    """Of section 6's 20 samples the p95 was nearly the slowest: one collector
    pause in a report page's request read as its p95 (issue 18: 538 ms against
    a p50 of 141 ms). Of its samples now, three pauses do not make it."""
    assert statistics.quantiles([140.0] * 19 + [540.0], n=100)[94] > 500  # the old figure
    timings = [140.0] * (IMPLEMENTATION_REPEAT - 3) + [540.0] * 3
    assert _tails(timings)[1] == 140.0


def test_samples_are_timed_after_the_warm_up_with_the_objects_frozen():
    frozen: list[bool] = []
    timings = _samples(lambda: frozen.append(gc.get_freeze_count() > 0), 4, warm_up=2)
    assert len(timings) == 4
    assert frozen == [False, False, True, True, True, True]
    assert gc.get_freeze_count() == 0


@pytest.mark.django_db
def test_section6_times_its_reads_as_section_2_does(monkeypatch):
    """Each read of section 6 (here the consolidated report, for the
    secretariat and then the delegate): the call that checks it runs and the
    one whose queries are counted, five of warm-up, then the samples, with
    the collector's objects frozen; the number of samples is recorded for the
    growth table. Before, the samples were timed with the collector running."""
    consolidated = importlib.import_module("implementation.consolidated")
    report = consolidated.consolidated_report
    frozen: list[bool] = []

    def spied(**kwargs):
        frozen.append(gc.get_freeze_count() > 0)
        return report(**kwargs)

    monkeypatch.setattr(consolidated, "consolidated_report", spied)
    call_command("bench_implementation_data", years=2, activities_per_year=1)
    command = Command()
    call_command(command, only="implementation", repeat=3, pdf_repeat=0, stdout=io.StringIO())
    one_read = [False] * 7 + [True] * 3
    assert frozen[: 2 * len(one_read)] == one_read * 2
    results = command.results
    assert results["implementation.consolidated_report_2017_secretariat.samples"] == 3
    assert results["implementation.report_page_delegate_kaz.samples"] == 3
    assert gc.get_freeze_count() == 0
