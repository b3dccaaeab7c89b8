"""Every response validated (issue 15, must show 2): for every operation of
the schema, a successful call and a call for each error status the schema
documents for it, each answer checked against the schema with openapi-core
(:mod:`tests.openapi`): the status must be documented, the body and the
documented headers must be what the schema says for it.

Where the calls come from:

* ``SUCCESS``, keyed by operationId: the successful call. Most are the
  authorisation matrix's (``tests.test_authorisation_matrix.API``: the role
  written there with a 2xx), the rest are written here. An operation of the
  schema with no entry fails ``test_every_operation_has_a_success_case``.
* The matrix's refusals (401, 403, 404, 409 for the roles written there).
* Calls any operation answers alike, written once (``GENERIC``): a NUL in the
  query (400), a token that does not exist (401), a session without its CSRF
  token (403 on writes), an id or code that does not exist (404), a page or
  cursor past the end (404 on lists), a ``Content-Length`` over the limit
  (413 on writes), a second call over a rate of one a day (429), the ETag of
  the first answer (304 on GETs), a body of an unknown type (415).
* ``NOT_PRODUCIBLE``: a documented status no outside call can produce, with
  the reason. 503 is one for every operation: it needs the database down
  (tests/test_faults.py produces it, on a few operations).

A documented status with no call and no reason fails
``test_every_documented_status_has_a_call``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from members.models import ApiToken
from members.services import api_token_issue
from tests import test_authorisation_matrix as matrix
from tests.conftest import DEMO_PASSWORD
from tests.files import pdf
from tests.openapi import assert_conforms, body_of, operations
from tests.test_authorisation_matrix import API, _user, expect

# The matrix's scenario, built once for this module too (and its media folder).
scenario = matrix.scenario
matrix_media = matrix.matrix_media
media_in_tmp = matrix.media_in_tmp

pytestmark = pytest.mark.django_db

WRITES = ("post", "put", "patch", "delete")


@dataclass(frozen=True)
class Call:
    """One request. ``role`` is one of tests.authz_scenario.ROLES (``anon``:
    nobody); ``url`` and ``data`` take the scenario. ``before`` prepares the
    state (through the services, not checked); ``headers`` are WSGI extras."""

    status: int
    role: str
    url: Callable[[Any], str]
    data: Callable[[Any], dict | str] | None = None
    multipart: bool = False
    before: Callable[[Any], None] | None = None
    headers: Callable[[Any], dict[str, Any]] = field(default=lambda s: {})
    label: str = ""


def _operation_id(path: str, method: str) -> str:
    return next(
        op_id for op_id, (p, m, _operation) in operations().items() if (p, m) == (path, method)
    )


def _from_matrix() -> tuple[dict[str, Call], list[tuple[str, Call]]]:
    """The matrix's cases: the first 2xx of each operation as its success,
    and one call per refusal status (the first role written with it)."""
    success: dict[str, Call] = {}
    refusals: list[tuple[str, Call]] = []
    for (path, method), cases in API.items():
        op_id = _operation_id(path, method)
        seen: set[int] = set()
        for case in cases:
            for role, answer in expect(case.expect).items():
                status = int(answer)
                call = Call(
                    status,
                    role,
                    case.url,
                    data=case.data,
                    multipart=case.multipart,
                    label=f"matrix {role}" + (f" {case.label}" if case.label else ""),
                )
                if status < 300:
                    success.setdefault(op_id, call)
                elif status not in seen:
                    seen.add(status)
                    refusals.append((op_id, call))
    return success, refusals


def _confirmed(s) -> None:
    """Tajikistan confirms Iran's information: the secretariat may disseminate."""
    client = APIClient()
    client.force_authenticate(user=_user("coord"))
    answer = client.post(f"/api/v1/information/{s.private_information.pk}/confirm/", {})
    assert answer.status_code == 200, answer.content


MATRIX_SUCCESS, MATRIX_REFUSALS = _from_matrix()

SUCCESS: dict[str, Call] = {
    **MATRIX_SUCCESS,
    # The matrix asks with bad credentials (everyone alike): here, good ones.
    "v1_auth_token_create": Call(
        200,
        "anon",
        lambda s: "/api/v1/auth/token/",
        data=lambda s: {"username": "delegate-irn", "password": DEMO_PASSWORD},
    ),
    # Signing out revokes the token the request carries (the matrix's carry none).
    "v1_auth_token_destroy": Call(
        204,
        "anon",
        lambda s: "/api/v1/auth/token/",
        headers=lambda s: {"HTTP_AUTHORIZATION": f"Token {s.token_key}"},
    ),
    "v1_information_disseminate_create": Call(
        200,
        "sec",
        lambda s: f"/api/v1/information/{s.private_information.pk}/disseminate/",
        data=lambda s: {},
        before=_confirmed,
    ),
}

# Refusals the matrix does not hold, written out.
EXTRA: list[tuple[str, Call]] = [
    (
        "v1_auth_token_create",
        Call(
            401,
            "anon",
            lambda s: "/api/v1/auth/token/",
            data=lambda s: {"username": "delegate-irn", "password": "wrong"},
            label="wrong password",
        ),
    ),
    (
        "v1_initiatives_create",
        Call(
            400, "concerned", lambda s: "/api/v1/initiatives/", data=lambda s: {"measure": "NOPE"}
        ),
    ),
    (
        "v1_initiatives_list",
        Call(400, "anon", lambda s: "/api/v1/initiatives/?status=", label="empty enum"),
    ),
    (
        "v1_measures_list",
        Call(400, "anon", lambda s: "/api/v1/measures/?status=", label="empty enum"),
    ),
]


def _as(role: str, method: str, url: str, data: dict | None = None) -> None:
    """A preparing call through the API (not the one under test)."""
    client = APIClient()
    client.force_authenticate(user=_user(role))
    answer = getattr(client, method)(url, data or {}, format="json")
    assert answer.status_code < 300, answer.content


def _initiative_action(action: str, role: str, initiative: str, data=None) -> tuple[str, Call]:
    return (
        f"v1_initiatives_{action.replace('-', '_')}_create",
        Call(
            409,
            role,
            lambda s: f"/api/v1/initiatives/{getattr(s, initiative).pk}/{action}/",
            data=data or (lambda s: {}),
            label=f"on {initiative}",
        ),
    )


def _soon(s) -> str:
    return (s.today + datetime.timedelta(days=14)).isoformat()


# Not possible in the current state: the initiative's status, a deadline
# passed, an answer given already.
CONFLICTS: list[tuple[str, Call]] = [
    _initiative_action("open-consultation", "chair", "main"),
    _initiative_action(
        "designate-coordinators",
        "chair",
        "main",
        lambda s: {"coordinators": ["TJK"]},
    ),
    _initiative_action(
        "charge-experts",
        "sec",
        "main",
        lambda s: {"meeting": s.specialised_meeting.pk, "experts": [s.expert.pk]},
    ),
    _initiative_action("circulate", "sec", "declared", lambda s: {"deadline": _soon(s)}),
    _initiative_action("refer-to-swg", "sec", "declared"),
    _initiative_action(
        "record-swg-decision",
        "sec",
        "declared",
        lambda s: {"meeting": s.swg_meeting.pk, "outcome": "approved"},
    ),
    _initiative_action(
        "record-soc-decision",
        "sec",
        "declared",
        lambda s: {"meeting": s.soc_meeting.pk, "outcome": "approved"},
    ),
    _initiative_action(
        "start-silence-procedure",
        "sec",
        "declared",
        lambda s: {"body": "swg", "draft_text": "Approve.", "deadline": _soon(s)},
    ),
    (
        "v1_initiatives_withdraw_create",
        Call(
            409,
            "sec",
            lambda s: f"/api/v1/initiatives/{s.main.pk}/withdraw/",
            data=lambda s: {"reason": "Twice."},
            before=lambda s: _as(
                "sec", "post", f"/api/v1/initiatives/{s.main.pk}/withdraw/", {"reason": "Once."}
            ),
            label="withdrawn already",
        ),
    ),
    (
        "v1_initiatives_submit_paper_create",
        Call(
            409,
            "coord",
            lambda s: f"/api/v1/initiatives/{s.soc.pk}/submit-paper/",
            data=lambda s: {"file": pdf("late.pdf"), "language": "en"},
            multipart=True,
            label="before the SOC",
        ),
    ),
    (
        "v1_initiatives_create",
        Call(
            409,
            "concerned",
            lambda s: "/api/v1/initiatives/",
            data=lambda s: {"measure": "ECO-5"},
            label="declared already",
        ),
    ),
    (
        "v1_circulations_answer_create",
        Call(
            409,
            "concerned",
            lambda s: f"/api/v1/circulations/{s.observers_circulation.pk}/answer/",
            data=lambda s: {"position": "support"},
            label="deadline passed",
        ),
    ),
    (
        "v1_information_confirm_create",
        Call(
            409,
            "coord",
            lambda s: f"/api/v1/information/{s.private_information.pk}/confirm/",
            data=lambda s: {},
            before=lambda s: _as(
                "sec",
                "post",
                f"/api/v1/information/{s.private_information.pk}/return/",
                {"reason": "Out of scope."},
            ),
            label="returned",
        ),
    ),
    (
        "v1_information_decline_create",
        Call(
            409,
            "coord",
            lambda s: f"/api/v1/information/{s.private_information.pk}/decline/",
            data=lambda s: {"reason": "Changed our mind."},
            before=_confirmed,
            label="after confirming",
        ),
    ),
    (
        "v1_information_return_create",
        Call(
            409,
            "sec",
            lambda s: f"/api/v1/information/{s.public_information.pk}/return/",
            data=lambda s: {"reason": "Too late."},
            label="disseminated",
        ),
    ),
    (
        "v1_information_remove_co_submitter_create",
        Call(
            409,
            "other",
            lambda s: f"/api/v1/information/{s.public_information.pk}/remove-co-submitter/",
            data=lambda s: {"participant": "irn"},
            label="disseminated",
        ),
    ),
    (
        "v1_meetings_attendance_update",
        Call(
            409,
            "sec",
            lambda s: f"/api/v1/meetings/{s.swg_meeting.pk}/attendance/",
            data=lambda s: {"present": ["IRN", "TJK", "KAZ"]},
            label="an objecting state left out",
        ),
    ),
    (
        "v1_initiatives_create",
        Call(
            200,
            "other",
            lambda s: "/api/v1/initiatives/",
            data=lambda s: {"measure": "ECO-6"},
            label="joins the open initiative",
        ),
    ),
]
# --- issue 17 v2: the activities register ------------------------------------------
CONFLICTS += [
    (
        "v1_activities_create",
        Call(
            409,
            "sec",
            lambda s: "/api/v1/activities/",
            data=lambda s: {**matrix._v2_activity_body(), "measure": "ECO-4"},
            label="measure not adopted",
        ),
    ),
    (
        "v1_activities_status_create",
        Call(
            409,
            "coord",
            lambda s: f"/api/v1/activities/{s.v2['public'].pk}/status/",
            data=lambda s: {"status": "report_filed"},
            label="planned, not held",
        ),
    ),
    (
        "v1_activities_status_create",
        Call(
            400,
            "coord",
            lambda s: f"/api/v1/activities/{s.v2['public'].pk}/status/",
            data=lambda s: {"status": "cancelled", "reason": ""},
            label="cancelled without a reason",
        ),
    ),
]
# --- end of issue 17 v2 -------------------------------------------------------------
EXTRA += CONFLICTS


# --- issue 17 v3: annual reporting, each write in a state that refuses it.


def _close_cycle(s) -> None:
    _as("sec", "post", f"/api/v1/reporting-cycles/{s.v3['cycle'].pk}/close/")


V3_CONFLICTS: list[tuple[str, Call]] = [
    (
        "v1_reporting_cycles_create",
        Call(
            409,
            "sec",
            lambda s: "/api/v1/reporting-cycles/",
            data=lambda s: {
                "year": s.v3["cycle"].year,
                "due_on": s.v3["cycle"].due_on.isoformat(),
                "areas": ["ECO"],
            },
            label="that year's cycle is open",
        ),
    ),
    (
        "v1_reporting_cycles_close_create",
        Call(
            409,
            "sec",
            lambda s: f"/api/v1/reporting-cycles/{s.v3['cycle'].pk}/close/",
            data=lambda s: {},
            before=_close_cycle,
            label="closed already",
        ),
    ),
    (
        "v1_returns_create",
        Call(
            409,
            "concerned",
            lambda s: "/api/v1/returns/",
            data=lambda s: {
                "cycle": s.v3["cycle"].pk,
                "participant": "IRN",
                "kind": "national_report",
                "area": "HUM",
                "text": "Again.",
            },
            label="submitted already",
        ),
    ),
    (
        "v1_returns_partial_update",
        Call(
            409,
            "concerned",
            lambda s: f"/api/v1/returns/{s.v3['submitted'].pk}/",
            data=lambda s: {"text": "In place."},
            label="submitted",
        ),
    ),
    (
        "v1_returns_submit_create",
        Call(
            409,
            "concerned",
            lambda s: f"/api/v1/returns/{s.v3['submitted'].pk}/submit/",
            data=lambda s: {},
            label="submitted already",
        ),
    ),
    (
        "v1_returns_correct_create",
        Call(
            409,
            "concerned",
            lambda s: f"/api/v1/returns/{s.v3['draft'].pk}/correct/",
            data=lambda s: {"note": "n", "text": "t"},
            label="a draft",
        ),
    ),
    (
        "v1_returns_nil_create",
        Call(
            409,
            "concerned",
            lambda s: "/api/v1/returns/nil/",
            data=lambda s: {"cycle": s.v3["cycle"].pk, "participant": "IRN", "area": "HUM"},
            label="submitted already",
        ),
    ),
    (
        "v1_returns_attachments_create",
        Call(
            409,
            "concerned",
            lambda s: f"/api/v1/returns/{s.v3['submitted'].pk}/attachments/",
            data=lambda s: {"file": pdf("late.pdf")},
            multipart=True,
            label="submitted",
        ),
    ),
]
EXTRA += V3_CONFLICTS


# --- issue 17 v1: action plans not possible in their status (409).
V1_PLAN_CONFLICTS: list[tuple[str, Call]] = [
    (
        "v1_action_plans_create",
        Call(
            409,
            "sec",
            lambda s: "/api/v1/action-plans/",
            data=lambda s: {
                "initiative": s.plan_initiatives["approved"].pk,
                "starts_in": s.today.year,
                "ends_in": s.today.year,
            },
            label="a plan is in force: amend it",
        ),
    ),
    (
        "v1_action_plans_partial_update",
        Call(
            409,
            "sec",
            lambda s: f"/api/v1/action-plans/{s.plans['swg'].pk}/",
            data=lambda s: {"text": "Late."},
            label="not a draft",
        ),
    ),
    (
        "v1_action_plans_submit_create",
        Call(
            409,
            "sec",
            lambda s: f"/api/v1/action-plans/{s.plans['swg'].pk}/submit/",
            label="submitted already",
        ),
    ),
    (
        "v1_action_plans_amend_create",
        Call(
            409,
            "sec",
            lambda s: f"/api/v1/action-plans/{s.plans['draft'].pk}/amend/",
            label="not in force",
        ),
    ),
    (
        "v1_action_plans_decisions_create",
        Call(
            409,
            "sec",
            lambda s: f"/api/v1/action-plans/{s.plans['draft'].pk}/decisions/",
            data=lambda s: {"body": "swg", "meeting": s.swg_meeting.pk, "outcome": "approved"},
            label="not before the SWG",
        ),
    ),
]
EXTRA += V1_PLAN_CONFLICTS

# (operationId or "*", status) -> why no call from outside can produce it.
NOT_PRODUCIBLE: dict[tuple[str, int], str] = {
    # One answer for every operation (cica.errors.service_unavailable):
    # tests/test_faults.py cuts PostgreSQL under a real server and validates
    # the 503 of a read and of a write against the schema.
    ("*", 503): "needs the database down (tests/test_faults.py validates it)",
    # The schema documents a 409 on every write (cica.schema.WRITE_ERRORS);
    # these writes are idempotent or have no state to conflict with.
    ("v1_auth_token_create", 409): "no state to conflict with",
    ("v1_auth_token_destroy", 409): "revoking is idempotent",
    ("v1_auth_tokens_destroy", 409): "revoking is idempotent",
    ("v1_experts_end_create", 409): "ending an ended designation answers 200 (idempotent)",
    ("v1_notifications_read_create", 409): "reading twice answers 200 (idempotent)",
    ("v1_notifications_read_all_create", 409): "no state to conflict with",
    ("v1_experts_create", 409): "a designation has no state to conflict with",
    ("v1_information_create", 409): "a submission has no state to conflict with yet",
    ("v1_meetings_create", 409): "scheduling has no state to conflict with",
    ("v1_circulations_acknowledge_create", 409): "acknowledging is idempotent",
    # Issue 17 v2: an activity's details and documents change in any status.
    ("v1_activities_partial_update", 409): "changing the details has no state to conflict with",
    ("v1_activities_documents_create", 409): "attaching has no state to conflict with",
}


# --- calls any operation answers alike ----------------------------------------------


def _nothing_at(operation_path: str) -> str:
    """The operation's path with every parameter naming nothing."""
    url = operation_path
    for name in ("id", "attachment_id", "document_id"):
        url = url.replace("{" + name + "}", "999999999")
    return url.replace("{code}", "NOPE")


def _generic(op_id: str, status: int) -> Call | None:
    path, method, operation = operations()[op_id]
    ok = SUCCESS.get(op_id)
    if ok is None:
        return None
    params = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
    write = method in WRITES
    with_query = _with_query(ok)
    if status == 400:
        return Call(
            400,
            ok.role,
            with_query("nul=%00"),
            data=ok.data,
            multipart=ok.multipart,
            label="NUL in the query",
        )
    if status == 401:
        return Call(
            401,
            "anon",
            ok.url,
            data=ok.data,
            multipart=ok.multipart,
            headers=lambda s: {"HTTP_AUTHORIZATION": "Token no-such-token"},
            label="unknown token",
        )
    if status == 403 and write and ok.role != "anon":
        return Call(403, ok.role, ok.url, data=ok.data, label="session without CSRF token")
    if status == 404:
        if "{" in path:
            return Call(
                404,
                ok.role,
                lambda s: _nothing_at(path),
                data=ok.data,
                multipart=ok.multipart,
                label="nothing by that id",
            )
        if "page" in params:
            return Call(404, ok.role, with_query("page=9999"), label="page past the end")
        if "cursor" in params:
            # "bz14" is base64 for "o=x": an offset that is no number.
            return Call(404, ok.role, with_query("cursor=bz14"), label="bad cursor")
        return None
    if status == 413 and write:
        return Call(
            413,
            ok.role,
            ok.url,
            data=ok.data,
            headers=lambda s: {"CONTENT_LENGTH": str(10**10)},
            label="Content-Length over the limit",
        )
    if status == 415 and write:
        return Call(415, ok.role, ok.url, data=lambda s: "<x/>", label="XML body")
    if status == 429:
        return Call(
            429,
            ok.role,
            ok.url,
            data=ok.data,
            multipart=ok.multipart,
            before=ok.before,
            label="second call at one a day",
        )
    if status == 304 and method == "get":
        return Call(304, ok.role, ok.url, label="ETag of the first answer")
    return None


def _with_query(ok: Call) -> Callable[[str], Callable[[Any], str]]:
    def add(query: str) -> Callable[[Any], str]:
        def url(s) -> str:
            base = ok.url(s)
            return base + ("&" if "?" in base else "?") + query

        return url

    return add


def _documented(op_id: str) -> list[int]:
    _path, _method, operation = operations()[op_id]
    return sorted(int(code) for code in operation["responses"] if code.isdigit())


def _not_producible(op_id: str, status: int) -> str | None:
    return NOT_PRODUCIBLE.get((op_id, status)) or NOT_PRODUCIBLE.get(("*", status))


def all_calls() -> list[tuple[str, Call]]:
    calls: list[tuple[str, Call]] = [(op_id, call) for op_id, call in SUCCESS.items()]
    calls += MATRIX_REFUSALS + EXTRA
    written = {(op_id, call.status) for op_id, call in EXTRA}
    for op_id in operations():
        for status in _documented(op_id):
            if status < 300 or _not_producible(op_id, status) or (op_id, status) in written:
                continue
            call = _generic(op_id, status)
            if call is not None:
                calls.append((op_id, call))
        calls += [(op_id, call) for call in _own_400s(op_id)]
    return calls


def _own_400s(op_id: str) -> list[Call]:
    """400s of the operation itself (not the middleware's NUL check): a page
    size of 0 on a list that pages, a body that is no JSON on a write that
    takes a JSON body (one that takes none ignores it)."""
    _path, method, operation = operations()[op_id]
    ok = SUCCESS[op_id]
    if "page_size" in {p["name"] for p in operation.get("parameters", [])}:
        return [Call(400, ok.role, _with_query(ok)("page_size=0"), label="page_size=0")]
    takes_json = "application/json" in operation.get("requestBody", {}).get("content", {})
    if method in WRITES and takes_json and ok.data is not None and not ok.multipart:
        return [
            Call(
                400,
                ok.role,
                ok.url,
                data=lambda s: "{",
                before=ok.before,
                headers=lambda s: {"content_type": "application/json"},
                label="body is no JSON",
            )
        ]
    return []


# Answers whose body the schema describes wrongly, being fixed by helper s3
# (response serializers): (operationId, status) -> what is wrong.
S3: dict[tuple[str, int], str] = {}  # every lie s3 was to fix is fixed


def _params():
    for op_id, call in all_calls():
        marks = []
        if (op_id, call.status) in S3:
            marks.append(pytest.mark.xfail(strict=True, reason=f"s3: {S3[op_id, call.status]}"))
        label = f" [{call.label}]" if call.label else ""
        yield pytest.param(op_id, call, id=f"{op_id} {call.status}{label}", marks=marks)


# --- the tests ----------------------------------------------------------------------------


def test_every_operation_has_a_success_case():
    missing = sorted(set(operations()) - set(SUCCESS))
    stale = sorted(set(SUCCESS) - set(operations()))
    assert not missing, f"operations with no successful call: {missing}"
    assert not stale, f"cases for operations the schema no longer has: {stale}"


def test_every_documented_status_has_a_call():
    covered = {(op_id, call.status) for op_id, call in all_calls()}
    missing = [
        (op_id, status)
        for op_id in operations()
        for status in _documented(op_id)
        if (op_id, status) not in covered and not _not_producible(op_id, status)
    ]
    assert not missing, f"documented statuses with no call and no reason: {missing}"


def test_no_reason_is_given_for_a_status_the_schema_does_not_document():
    """The schema documents only the errors an operation can give
    (cica.schema.CicaAutoSchema._error_answers): a reason kept here for a
    status it no longer documents is stale."""
    stale = [
        (op_id, status)
        for op_id, status in NOT_PRODUCIBLE
        if op_id != "*" and status not in _documented(op_id)
    ]
    assert not stale, stale


def _client(call: Call, csrf: bool = False) -> APIClient:
    client = APIClient(enforce_csrf_checks=csrf)
    user = _user(call.role)
    if user is not None:
        if csrf:
            client.force_login(user)
        else:
            client.force_authenticate(user=user)
    return client


def _send(client: APIClient, method: str, url: str, call: Call, s, extra: dict[str, Any]):
    if method == "get":
        return client.get(url, **extra)
    data = call.data(s) if call.data else None
    if isinstance(data, str):
        extra = {"content_type": "application/xml", **extra}
        return getattr(client, method)(url, data, **extra)
    fmt = "multipart" if call.multipart else "json"
    return getattr(client, method)(url, data, format=fmt, **extra)


@pytest.mark.parametrize(("op_id", "call"), list(_params()))
def test_the_answer_is_what_the_schema_says(scenario, settings, op_id, call):
    path, method, _operation = operations()[op_id]
    if call.before is not None:
        call.before(scenario)
    url = call.url(scenario)
    extra = call.headers(scenario)
    client = _client(call, csrf=call.label == "session without CSRF token")
    if call.status == 429:
        settings.CICA_THROTTLE_RATES = {"anon": "1/day", "user": "1/day", "signin": "1/day"}
        cache.clear()
        _send(client, method, url, call, scenario, extra)
    if call.status == 304:
        first = _send(client, method, url, call, scenario, extra)
        assert first.status_code == 200, body_of(first)[:300]
        assert first.has_header("ETag"), "a GET answer without an ETag"
        extra = {**extra, "HTTP_IF_NONE_MATCH": first["ETag"]}
    response = _send(client, method, url, call, scenario, extra)
    if call.status == 429:
        cache.clear()
    assert response.status_code == call.status, body_of(response)[:500]
    assert_conforms(response, path=path, method=method)


def test_the_token_used_to_sign_out_is_revoked(scenario):
    """The success case of sign-out is a real one (control for the table)."""
    client = APIClient()
    token, key = api_token_issue(user=_user("other"), name="signing out")
    answer = client.delete("/api/v1/auth/token/", HTTP_AUTHORIZATION=f"Token {key}")
    assert answer.status_code == 204
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_an_unknown_body_type_is_a_documented_415(scenario):
    client = APIClient()
    client.force_authenticate(user=_user("concerned"))
    answer = client.post("/api/v1/initiatives/", "<x/>", content_type="application/xml")
    assert answer.status_code == 415
    assert_conforms(answer, path="/api/v1/initiatives/", method="post")
