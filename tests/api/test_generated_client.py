"""A client generated from the schema works (issue 15, must show 1).

REST clients generate their client from `/api/schema/` and most will not read
the README. So does this test: it writes the schema, generates a Python client
with `openapi-python-client` (once per test session, in a temporary folder),
imports every module of it, and then takes an initiative from a declaration of
interest to the SOC's adoption against a live server (the real HTTP stack)
through the generated functions alone: no request in this file is written by
hand. A schema that lies — a body the generator cannot type, a field the
server names differently, a status it does not document — breaks a step here.

Users and meetings come from the demo users the suite loads (setup, not HTTP);
everything a client does goes through `api.<tag>.<operation>.sync_detailed`.
"""

from __future__ import annotations

import datetime
import importlib
import io
import os
import pkgutil
import subprocess
import sys
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import attrs
import pytest
import time_machine
import yaml
from django.core.management import call_command
from django.utils import timezone

from tests.conftest import DEMO_PASSWORD
from tests.files import PDF

# The generated package's name; unlike any module of ours.
PACKAGE = "cica_generated_client"


@pytest.fixture(scope="session")
def generated(tmp_path_factory) -> Iterator[SimpleNamespace]:
    """Generate the client once per session: schema, generator, package on sys.path."""
    folder = tmp_path_factory.mktemp("generated-client")
    schema = folder / "schema.yaml"
    # --fail-on-warn: a schema drf-spectacular had to guess at is no contract.
    call_command("spectacular", "--file", str(schema), "--fail-on-warn")
    bin_dir = Path(sys.executable).parent
    # The generator formats its output with ruff (a dev dependency) and warns
    # when ruff is not on PATH: the virtual environment's bin comes first.
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run(
        [
            str(bin_dir / "openapi-python-client"),
            "generate",
            "--path",
            str(schema),
            "--output-path",
            str(folder / PACKAGE),
            "--meta",
            "none",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    output = run.stdout + run.stderr
    sys.path.insert(0, str(folder))
    try:
        yield SimpleNamespace(returncode=run.returncode, output=output, folder=folder)
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _generator_complaints(output: str) -> list[str]:
    """Every line the generator printed besides its 'Generating <folder>'."""
    return [
        line for line in output.splitlines() if line.strip() and not line.startswith("Generating ")
    ]


def _import_every_module() -> dict[str, str]:
    """Import each module of the generated package; name -> error for those that fail."""
    package = importlib.import_module(PACKAGE)
    failures: dict[str, str] = {}
    for module in pkgutil.walk_packages(package.__path__, f"{PACKAGE}."):
        try:
            importlib.import_module(module.name)
        except Exception as error:  # every failure is reported, none hidden
            failures[module.name] = f"{type(error).__name__}: {error}"
    return failures


@pytest.fixture(scope="session")
def client_package(generated) -> SimpleNamespace:
    """The generated package, every module imported: `api` (the operations of
    the `v1` tag), `models`, `types` and the two client classes."""
    assert generated.returncode == 0, generated.output
    assert _generator_complaints(generated.output) == [], generated.output
    assert _import_every_module() == {}
    package = importlib.import_module(PACKAGE)
    return SimpleNamespace(
        api=importlib.import_module(f"{PACKAGE}.api.v1"),
        models=importlib.import_module(f"{PACKAGE}.models"),
        types=importlib.import_module(f"{PACKAGE}.types"),
        Client=package.Client,
        AuthenticatedClient=package.AuthenticatedClient,
    )


def test_the_generator_runs_without_a_warning(generated):
    assert generated.returncode == 0, generated.output
    assert _generator_complaints(generated.output) == []


def test_every_module_of_the_generated_client_imports(generated):
    assert _import_every_module() == {}
    schema = yaml.safe_load((generated.folder / "schema.yaml").read_text())
    operation_ids = {
        operation["operationId"] for path in schema["paths"].values() for operation in path.values()
    }
    modules = pkgutil.iter_modules(importlib.import_module(f"{PACKAGE}.api.v1").__path__)
    assert {module.name for module in modules} == operation_ids


# --- the workflow, through the generated client alone --------------------------------


def undeclared(value: Any, where: str) -> list[str]:
    """Fields the server sent that the schema does not declare: the generated
    models keep them aside in `additional_properties`, where a client's code,
    written from the schema, never looks."""
    if isinstance(value, list):
        return [
            found for i, item in enumerate(value) for found in undeclared(item, f"{where}[{i}]")
        ]
    if not attrs.has(type(value)):
        return []
    found = [f"{where}.{key}" for key in value.additional_properties]
    for attribute in attrs.fields(type(value)):
        if attribute.name != "additional_properties":
            found += undeclared(getattr(value, attribute.name), f"{where}.{attribute.name}")
    return found


def ok(response: Any, expected: HTTPStatus = HTTPStatus.OK) -> Any:
    """The parsed body of a generated response, after checking its status and
    that the schema declares every field of it."""
    assert response.status_code == expected, (response.status_code, response.content[:800])
    assert undeclared(response.parsed, type(response.parsed).__name__) == []
    return response.parsed


@pytest.mark.django_db(transaction=True)
def test_a_concept_paper_from_interest_to_adoption_through_the_generated_client(
    client_package, live_server
):
    api, models, types = client_package.api, client_package.models, client_package.types
    url = live_server.url
    public = client_package.Client(base_url=url, raise_on_unexpected_status=True)

    # --- sign in: each user asks for a token with the generated sign-in operation.
    def sign_in(username: str) -> Any:
        issued = ok(
            api.v1_auth_token_create.sync_detailed(
                client=public,
                body=models.SignInInputRequest(
                    username=username, password=DEMO_PASSWORD, name="generated client", days=30
                ),
            )
        )
        assert issued.expires_at > timezone.now()
        return client_package.AuthenticatedClient(
            base_url=url, token=issued.token, prefix="Token", raise_on_unexpected_status=True
        )

    refused = api.v1_auth_token_create.sync_detailed(
        client=public,
        body=models.SignInInputRequest(username="delegate-kaz", password="not the password"),
    )
    assert refused.status_code == HTTPStatus.UNAUTHORIZED
    assert (refused.parsed.status, refused.parsed.code) == (401, "invalid_credentials")
    secretariat, chair = sign_in("secretariat"), sign_in("chair")
    kaz, tjk, irn = sign_in("delegate-kaz"), sign_in("delegate-tjk"), sign_in("delegate-irn")

    # --- list and filter measures (public reads).
    human = ok(api.v1_measures_list.sync_detailed(client=public, area="HUM"))
    assert human.count == 6
    assert sorted(m.code for m in human.results) == [f"HUM-{n}" for n in range(1, 7)]
    hum3 = next(m for m in human.results if m.code == "HUM-3")
    assert hum3.status is None
    assert hum3.initiative is None
    declared = ok(
        api.v1_measures_list.sync_detailed(
            client=public, status=models.V1MeasuresListStatus("interest_declared")
        )
    )
    assert "HUM-3" not in {m.code for m in declared.results}
    assert declared.count == len(declared.results) > 0
    found = ok(api.v1_measures_list.sync_detailed(client=public, search=hum3.title[:12]))
    assert "HUM-3" in {m.code for m in found.results}

    # --- declare interest: Kazakhstan starts the initiative, Iran joins it.
    detail = ok(
        api.v1_initiatives_create.sync_detailed(
            client=kaz,
            body=models.DeclareInterestInputRequest(measure="HUM-3", statement="Kazakhstan"),
        ),
        HTTPStatus.CREATED,
    )
    iid = detail.id
    assert detail.reference == "HUM-3"
    assert detail.status == "interest_declared"
    assert detail.interested == ["KAZ"]
    joined = ok(
        api.v1_initiatives_create.sync_detailed(
            client=irn, body=models.DeclareInterestInputRequest(measure="HUM-3")
        )
    )
    assert joined.id == iid
    assert sorted(joined.interested) == ["IRN", "KAZ"]
    hum3 = ok(api.v1_measures_retrieve.sync_detailed("HUM-3", client=public))
    assert (hum3.status, hum3.initiative) == ("interest_declared", iid)

    # --- the Chair's office opens consultation and designates the coordinators.
    detail = ok(api.v1_initiatives_open_consultation_create.sync_detailed(iid, client=chair))
    assert detail.status == "consultation"
    detail = ok(
        api.v1_initiatives_designate_coordinators_create.sync_detailed(
            iid,
            client=chair,
            body=models.DesignateInputRequest(coordinators=["TJK"], co_coordinators=["KAZ"]),
        )
    )
    assert detail.status == "drafting"
    assert sorted((c.participant, c.role) for c in detail.coordinators) == [
        ("KAZ", "co_coordinator"),
        ("TJK", "coordinator"),
    ]

    # --- Tajikistan submits the concept paper (multipart, a real PDF).
    refused = api.v1_initiatives_submit_paper_create.sync_detailed(
        iid,
        client=irn,
        body=models.SubmitPaperInputRequest(
            file=types.File(payload=io.BytesIO(PDF), file_name="irn.pdf"),
            language=models.LanguageEnum("en"),
        ),
    )
    assert refused.status_code == HTTPStatus.FORBIDDEN
    assert "coordinator" in refused.parsed.detail
    detail = ok(
        api.v1_initiatives_submit_paper_create.sync_detailed(
            iid,
            client=tjk,
            body=models.SubmitPaperInputRequest(
                file=types.File(
                    payload=io.BytesIO(PDF), file_name="concept.pdf", mime_type="application/pdf"
                ),
                language=models.LanguageEnum("ru"),
                note="First draft",
            ),
        )
    )
    assert [p.symbol for p in detail.papers] == ["CICA/CP/HUM-3/1"]
    assert detail.status == "drafting"

    # --- the secretariat circulates it to the member states.
    today = timezone.localdate()
    invalid = api.v1_initiatives_circulate_create.sync_detailed(
        iid,
        client=secretariat,
        body=models.CirculateInputRequest(deadline=today - datetime.timedelta(days=1)),
    )
    assert invalid.status_code == HTTPStatus.BAD_REQUEST
    assert "past" in invalid.parsed.detail
    deadline = today + datetime.timedelta(days=14)
    detail = ok(
        api.v1_initiatives_circulate_create.sync_detailed(
            iid, client=secretariat, body=models.CirculateInputRequest(deadline=deadline)
        )
    )
    assert detail.status == "circulated"
    assert [(c.deadline, c.audience) for c in detail.circulations] == [(deadline, "members")]
    too_early = api.v1_initiatives_refer_to_swg_create.sync_detailed(iid, client=secretariat)
    assert too_early.status_code == HTTPStatus.CONFLICT
    assert "deadline" in too_early.parsed.detail

    # --- Iran finds the circulation addressed to it and answers.
    waiting = ok(api.v1_circulations_list.sync_detailed(client=irn, open_=True))
    circulation = next(c for c in waiting.results if c.initiative == iid)
    assert circulation.deadline == deadline
    answered = ok(
        api.v1_circulations_answer_create.sync_detailed(
            circulation.id,
            client=irn,
            body=models.AnswerInputRequest(
                position=models.PositionEnum("support"), text="Iran supports the paper."
            ),
        )
    )
    mine = [r for r in answered.receipts if r.participant == "IRN"]
    assert [(r.position, r.position_text) for r in mine] == [
        ("support", "Iran supports the paper.")
    ]
    ledger = ok(api.v1_circulations_retrieve.sync_detailed(circulation.id, client=secretariat))
    positions = {r.participant: r.position for r in ledger.receipts}
    assert positions["IRN"] == "support"
    assert positions["KAZ"] is None

    # --- the deadline passes; the SWG meets and approves, the SOC is next.
    day_after = datetime.datetime.combine(
        deadline + datetime.timedelta(days=1),
        datetime.time(9),
        tzinfo=timezone.get_current_timezone(),
    )
    present = ["KAZ", "TJK", "IRN", "CHN"]
    # Pollers mark when they last looked: after the SWG, before the SOC.
    mark = day_after + datetime.timedelta(minutes=30)
    with time_machine.travel(day_after, tick=False):
        detail = ok(api.v1_initiatives_refer_to_swg_create.sync_detailed(iid, client=secretariat))
        assert detail.status == "swg_review"
        swg = ok(
            api.v1_meetings_create.sync_detailed(
                client=secretariat,
                body=models.MeetingRequest(
                    body=models.BodyEnum("swg"),
                    date=timezone.localdate(),
                    place="Almaty",
                    host="KAZ",
                    present=present,
                ),
            ),
            HTTPStatus.CREATED,
        )
        assert (swg.body, sorted(swg.present)) == ("swg", sorted(present))
        unknown = api.v1_initiatives_record_swg_decision_create.sync_detailed(
            iid,
            client=secretariat,
            body=models.DecisionInputRequest(
                meeting=swg.id + 1000, outcome=models.OutcomeEnum("approved")
            ),
        )
        assert unknown.status_code == HTTPStatus.BAD_REQUEST
        assert [(e.field, e.code) for e in unknown.parsed.errors] == [("meeting", "does_not_exist")]
        detail = ok(
            api.v1_initiatives_record_swg_decision_create.sync_detailed(
                iid,
                client=secretariat,
                body=models.DecisionInputRequest(
                    meeting=swg.id, outcome=models.OutcomeEnum("approved"), text="Forwarded."
                ),
            )
        )
        assert detail.status == "soc_review"
        soc = ok(
            api.v1_meetings_create.sync_detailed(
                client=secretariat,
                body=models.MeetingRequest(
                    body=models.BodyEnum("soc"), date=timezone.localdate(), present=present
                ),
            ),
            HTTPStatus.CREATED,
        )
        # A poller keeps the ETag of what it last saw, and a mark of when.
        seen = api.v1_initiatives_retrieve.sync_detailed(iid, client=kaz)
        assert seen.status_code == HTTPStatus.OK
        etag = seen.headers["ETag"]
        listing_etag = api.v1_initiatives_list.sync_detailed(client=public).headers["ETag"]

    with time_machine.travel(day_after + datetime.timedelta(hours=1), tick=False):
        # --- poll: nothing changed, so a 304 with no body.
        # If-None-Match is a documented parameter of every GET.
        unchanged = api.v1_initiatives_retrieve.sync_detailed(iid, client=kaz, if_none_match=etag)
        assert unchanged.status_code == HTTPStatus.NOT_MODIFIED
        assert unchanged.content == b""
        assert unchanged.headers["ETag"] == etag
        listing = api.v1_initiatives_list.sync_detailed(client=public, if_none_match=listing_etag)
        assert listing.status_code == HTTPStatus.NOT_MODIFIED
        nothing_new = ok(api.v1_initiatives_list.sync_detailed(client=public, updated_since=mark))
        assert (nothing_new.count, nothing_new.results) == (0, [])

        # --- the SOC approves: the initiative is adopted.
        detail = ok(
            api.v1_initiatives_record_soc_decision_create.sync_detailed(
                iid,
                client=secretariat,
                body=models.DecisionInputRequest(
                    meeting=soc.id, outcome=models.OutcomeEnum("approved")
                ),
            )
        )
        assert detail.status == "adopted"

        # --- poll again: the old ETag now gets the new state and a new ETag.
        changed = api.v1_initiatives_retrieve.sync_detailed(iid, client=kaz, if_none_match=etag)
        assert changed.status_code == HTTPStatus.OK
        assert changed.headers["ETag"] != etag
        assert changed.parsed.status == "adopted"
        # updated_since: only what changed after the mark, the other
        # initiatives (the seed's, untouched) are not sent again.
        newer = ok(api.v1_initiatives_list.sync_detailed(client=public, updated_since=mark))
        assert [(r.id, r.status) for r in newer.results] == [(iid, "adopted")]
        assert newer.count == 1
        newer_measures = ok(api.v1_measures_list.sync_detailed(client=public, updated_since=mark))
        assert [m.code for m in newer_measures.results] == ["HUM-3"]

    # --- read the timeline: every step, in order, with who acted for whom.
    detail = ok(api.v1_initiatives_retrieve.sync_detailed(iid, client=secretariat))
    assert [(e.action, e.to_status) for e in detail.timeline] == [
        ("declare_interest", "interest_declared"),
        ("declare_interest", "interest_declared"),
        ("open_consultation", "consultation"),
        ("designate_coordinators", "drafting"),
        ("submit_paper", "drafting"),
        ("circulate", "circulated"),
        ("refer_to_swg", "swg_review"),
        ("record_swg_decision", "soc_review"),
        ("record_soc_decision", "adopted"),
    ]
    submitted = detail.timeline[4]
    assert (submitted.actor, submitted.acting_for) == ("delegate-tjk", "TJK")
    assert [(d.body, d.outcome, d.meeting) for d in detail.decisions] == [
        ("soc", "approved", soc.id),
        ("swg", "approved", swg.id),
    ]
    hum3 = ok(api.v1_measures_retrieve.sync_detailed("HUM-3", client=public))
    assert hum3.status == "adopted"
    assert [p.symbol for p in hum3.adopted_papers] == ["CICA/CP/HUM-3/1"]

    # --- page through the initiatives until `next` is null.
    seen_ids: list[int] = []
    page_number = 1
    while True:
        page = ok(
            api.v1_initiatives_list.sync_detailed(client=public, page=page_number, page_size=2)
        )
        assert len(page.results) <= 2
        seen_ids += [r.id for r in page.results]
        if page.next_ is None:
            break
        # The link names the next page; the generated operation fetches it.
        assert parse_qs(urlsplit(page.next_).query)["page"] == [str(page_number + 1)]
        page_number += 1
    assert page_number == (page.count + 1) // 2 > 1
    assert len(seen_ids) == len(set(seen_ids)) == page.count
    assert iid in seen_ids
