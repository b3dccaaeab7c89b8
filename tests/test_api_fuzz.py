"""API fuzzing with schemathesis (issue 9, must show 3; issue 13 item 20):
every operation of /api/schema/ is called with generated input as three
people — an anonymous reader, a member state's delegate and the secretariat
— and then in stateful sequences that follow the links between operations
(an id a POST or a list answers is used by the next call). No answer may be
a server error, and every answer (status, content type, headers, body) must
be what the schema says.

In CI (``CI`` set) the examples are random, a new draw each run; Hypothesis
prints the seed of a failure (rerun it with ``--hypothesis-seed=<seed>``).
Locally they are derandomised (a fixed seed per test), so a run is
repeatable. The number of examples is configurable:

* ``CICA_FUZZ_EXAMPLES`` — examples per operation and person (default 10);
* ``CICA_FUZZ_SCENARIOS`` — stateful scenarios per person (default 30),
  each of at most ``CICA_FUZZ_STEPS`` calls (default 25);
* ``CICA_FUZZ_SHOW_LINKS`` — list the links the stateful phase followed.

CI runs this file on PostgreSQL (``make test`` there has ``DATABASE_URL``),
which refuses what SQLite accepts (a NUL character, a time-zone offset beyond
±15:59): the input checks of ``cica/input.py`` must turn those into 400s.
"""

import os
from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis import checks

from cica.wsgi import application
from members.services import api_token_issue
from tests.problems import error_fields

IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
EXAMPLES = int(os.environ.get("CICA_FUZZ_EXAMPLES", "10"))
SCENARIOS = int(os.environ.get("CICA_FUZZ_SCENARIOS", "30"))
STEPS = int(os.environ.get("CICA_FUZZ_STEPS", "25"))

# Who asks: nobody, Kazakhstan's delegate (a member state, coordinator of
# ECO-4 in the registers), the secretariat (every transition is theirs).
PEOPLE = {"anonymous": None, "delegate": "delegate-kaz", "secretariat": "secretariat"}

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


def _load_schema():
    return schemathesis.openapi.from_wsgi("/api/schema/", application)


schema = _load_schema()
# Sequences are built from valid calls (a refused call gives the next one
# nothing to follow); each operation alone also gets invalid input.
schema.config.phases.stateful.generation.update(modes=["positive"])
pytestmark = pytest.mark.django_db

# What the run did, printed at its end (the figures the issue asks for).
FIGURES: Counter = Counter()


@pytest.fixture(scope="module", autouse=True)
def report_the_figures(request):
    yield
    if not FIGURES:
        return
    operations = len(list(schema.get_all_operations()))
    line = (
        f"API fuzz: {operations} operations; {FIGURES['examples']} examples in "
        f"{len([k for k in FIGURES if k.startswith('tested:')])} (operation, person) pairs; "
        f"{FIGURES['scenarios']} stateful "
        f"scenarios, {FIGURES['steps']} calls, {FIGURES['linked']} through a link, "
        f"{len([k for k in FIGURES if k.startswith('link:')])} distinct links followed; "
        f"{'random' if IN_CI else 'derandomised'} examples"
    )
    if os.environ.get("CICA_FUZZ_SHOW_LINKS"):
        line += "\n" + "\n".join(sorted(k for k in FIGURES if k.startswith("link:")))
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\n{line}")


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """schemathesis calls the WSGI app itself, so Django closes the database
    connection after each request as in production; the test's transaction
    lives on that connection. Django's test client keeps it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=list(PEOPLE))
def person(request) -> str:
    return request.param


@pytest.fixture
def headers(person, people) -> dict[str, str]:
    """The Authorization header of the person the test asks as (none for anonymous)."""
    username = PEOPLE[person]
    if username is None:
        return {}
    _token, secret = api_token_issue(user=people[username], name="fuzz")
    return {"Authorization": f"Token {secret}"}


def _settings(max_examples: int, **extra) -> settings:
    return settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=not IN_CI,
        database=None,
        print_blob=True,
        **extra,
    )


@schema.parametrize()
@_settings(EXAMPLES)
def test_every_operation_keeps_to_its_schema(case, person, headers):
    """Each operation, with generated input, as each of the three people."""
    FIGURES["examples"] += 1
    FIGURES[f"tested:{case.operation.label}:{person}"] = 1
    case.call_and_validate(headers=headers, checks=CHECKS)


def test_linked_operations_keep_to_the_schema(headers):
    """Stateful phase: sequences of calls chained by the links schemathesis
    finds between operations (ids from answers into the next path or body),
    as each of the three people. Each sequence runs in a savepoint rolled back
    at its end, so every sequence starts from the same registers."""

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]  # a class built at run time
        def setup(self):
            FIGURES["scenarios"] += 1
            self.savepoint = transaction.savepoint()

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)

        def step(self, input):
            FIGURES["steps"] += 1
            if input.transition is not None and input.is_applied:
                FIGURES["linked"] += 1
                FIGURES[f"link:{input.transition.id}"] += 1
            return super().step(input)

        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)

    Workflow.run(settings=_settings(SCENARIOS, stateful_step_count=STEPS))


@pytest.mark.parametrize("year", ["0", "1.5", "10000", "-3", "x"])
def test_a_year_outside_the_calendar_is_a_400(api, year):
    """Found by the fuzzer: ?year=0 made Python's dates fail (a 500)."""
    answer = api.get(f"/api/v1/information/?year={year}")
    assert answer.status_code == 400
    assert "year" in error_fields(answer)
