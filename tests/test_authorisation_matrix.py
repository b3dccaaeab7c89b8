"""The authorisation matrix (issue "Security and reliability"): every operation
of the OpenAPI schema, every delegate and staff page and every admin register,
asked by each of seven people, with the answer each must get.

The answers are written out below from the roles' rules and the services — never
computed by calling the rules under test. A new API operation or page that
is not in these tables fails ``test_*_match_the_table``; a stale entry fails
it too.

Notation of an expectation: ``"anon=401 obs,other=403 *=200"`` — roles are
those of ``tests.authz_scenario.ROLES``; ``*`` is every role not named before
it. An answer is a status code, ``login`` (302 to the delegate sign-in page)
or ``admin-login`` (302 to the admin's sign-in page).

Refusals follow one convention: what the caller may not see is *not found*
(404, the object is outside their queryset: another state's circulation,
someone else's notification, unpublished information); what they see but may
not do is *forbidden* (403); a permitted role whose request does not fit the
state of things gets 400/409, never 401/403. Anonymous API writes get 401
(token authentication comes first).

Each case is its own test: the scenario is built once per module through the
services, inside a transaction; each test runs in a savepoint rolled back
after it, so one role's write never changes the next role's case.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from implementation.models import ActionPlan, Activity
from measures.models import Expert, Initiative, InterestDeclaration, Measure
from members.models import ApiToken
from secretariat.models import InformationSubmission, Notification, Receipt
from tests import authz_scenario
from tests.authz_scenario import (
    DRAFT_NAME,
    EXPERT_CONTACT,
    PLAN_DRAFT_TEXT,
    POSITION,
    PRIVATE_TITLE,
    RETURN_DRAFT_TEXT,
    ROLES,
    STATEMENT,
    USERNAMES,
    V2_PRIVATE_TITLE,
    V5_REPORT_SECRET,  # issue 17 v5
    V6_IRAN_DRAFT,
    WEBHOOK_SECRET,
)
from tests.files import pdf

pytestmark = pytest.mark.django_db


# --- the scenario, once per module ----------------------------------------------------


@pytest.fixture(scope="module")
def matrix_media(tmp_path_factory):
    return tmp_path_factory.mktemp("authz-media")


@pytest.fixture(autouse=True)
def media_in_tmp(settings, matrix_media):
    """Overrides the suite's per-test media folder: the scenario's files were
    stored once, in the module's folder."""
    settings.MEDIA_ROOT = matrix_media


@pytest.fixture(scope="module")
def scenario(django_db_setup, django_db_blocker, matrix_media):
    """Built once; every test runs in a savepoint inside this transaction."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(
                MEDIA_ROOT=matrix_media,
                PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            ):
                built = authz_scenario.build()
                built.sessions = _sessions(built)
            yield built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _user(role):
    name = USERNAMES[role]
    return get_user_model().objects.get(username=name) if name else None


def _sessions(s) -> dict[str, str]:
    """One signed-in session per role, made once: each test reuses its cookie
    (and whatever a request changes in it is rolled back with the test)."""
    sessions = {}
    for role, user in s.users.items():
        client = Client()
        client.force_login(user)
        sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return sessions


def _sign_in(client, s, role):
    if role != "anon":
        client.cookies[settings.SESSION_COOKIE_NAME] = s.sessions[role]


# --- expectations ---------------------------------------------------------------------


def expect(spec: str) -> dict[str, str]:
    """``"anon=401 obs,other=403 *=200"`` → one answer per role, each exactly once."""
    answers: dict[str, str] = {}
    for part in spec.split():
        who, answer = part.split("=")
        roles = [r for r in ROLES if r not in answers] if who == "*" else who.split(",")
        for role in roles:
            assert role in ROLES, f"unknown role {role!r} in {spec!r}"
            assert role not in answers, f"{role} twice in {spec!r}"
            answers[role] = answer
    assert set(answers) == set(ROLES), f"{spec!r} misses {set(ROLES) - set(answers)}"
    return answers


def roles_in(spec: str) -> set[str]:
    names = set(spec.split(","))
    assert names <= set(ROLES), spec
    return names


@dataclass(frozen=True)
class Case:
    """One request: its URL (from the scenario), body, and who gets what.

    ``secret`` names something only ``seen_by`` may read: a text of the
    scenario, or a check of the answer. It is looked for in every 200.
    ``effect`` is a check of the database after the request: the write took
    place exactly for the roles in ``effect_by``.
    """

    expect: str
    url: Callable[[Any], str]
    label: str = ""
    data: Callable[[Any], dict] | None = None
    multipart: bool = False
    secret: str | Callable[[Any, Any], bool] | None = None
    seen_by: str = ""
    effect: Callable[[Any], bool] | None = None
    effect_by: str = ""


def _v5_cycle_id() -> int:  # issue 17 v5
    from implementation.models import ReportingCycle  # noqa: PLC0415

    return ReportingCycle.objects.get(year=2027).pk


def _soon(s):
    return (s.today + datetime.timedelta(days=14)).isoformat()


# Who sees the reasons, statements and objections: staff and member states.
INTERNALS = "other,concerned,coord,chair,sec"

# --- issue 17 v2: the activities register --------------------------------------------
# Who enters, changes and reads everything of Iran's activities under HUM-2.
V2_OWN = "concerned,coord,sec"


def _v2_activity(s, name):
    return Activity.objects.get(pk=s.v2[name].pk)


def _v2_entered() -> bool:
    return Activity.objects.filter(title_en="Matrix activity").exists()


def _v2_activity_body() -> dict:
    starts = datetime.date.today() + datetime.timedelta(days=40)
    return {
        "measure": "HUM-2",
        "kind": "workshop",
        "title_en": "Matrix activity",
        "host": "IRN",
        "starts_on": starts.isoformat(),
        "ends_on": starts.isoformat(),
        "time_zone": "Asia/Tehran",
    }


def _v2_activity_form(s) -> dict:
    starts = s.today + datetime.timedelta(days=40)
    return {
        "measure": s.v2["measure"].pk,
        "kind": "workshop",
        "title_en": "Matrix activity",
        "host": s.v2["irn"].pk,
        "starts_on": starts.isoformat(),
        "ends_on": starts.isoformat(),
        "time_zone": "Asia/Tehran",
        "visibility": "public",
    }


# --- end of issue 17 v2 --------------------------------------------------------------

# (path template in the schema, method) -> cases. Written from the roles' rules:
# the public reads the registers and the status of initiatives; members read
# what is circulated to members; a delegate acts for their own state only.
API: dict[tuple[str, str], list[Case]] = {
    # Registers: public reads.
    ("/api/v1/participants/", "get"): [Case("*=200", lambda s: "/api/v1/participants/")],
    ("/api/v1/participants/{code}/", "get"): [Case("*=200", lambda s: "/api/v1/participants/IRN/")],
    ("/api/v1/chairmanships/", "get"): [Case("*=200", lambda s: "/api/v1/chairmanships/")],
    ("/api/v1/chairmanships/{id}/", "get"): [
        Case("*=200", lambda s: f"/api/v1/chairmanships/{s.chairmanship_id}/")
    ],
    ("/api/v1/areas/", "get"): [Case("*=200", lambda s: "/api/v1/areas/")],
    ("/api/v1/areas/{code}/", "get"): [Case("*=200", lambda s: "/api/v1/areas/ECO/")],
    ("/api/v1/measures/", "get"): [Case("*=200", lambda s: "/api/v1/measures/")],
    ("/api/v1/measures/{code}/", "get"): [Case("*=200", lambda s: "/api/v1/measures/ECO-8/")],
    ("/api/v1/coordinator-offers/", "get"): [
        Case("*=200", lambda s: "/api/v1/coordinator-offers/")
    ],
    ("/api/v1/coordinator-offers/{id}/", "get"): [
        Case("*=200", lambda s: f"/api/v1/coordinator-offers/{s.offer_id}/")
    ],
    # The API's root lists the resources, to everyone (issue 15 item 4).
    ("/api/v1/", "get"): [Case("*=200", lambda s: "/api/v1/")],
    # Tokens: the endpoint answers everyone alike; bad credentials are a 401
    # invalid_credentials (issue 15).
    ("/api/v1/auth/token/", "post"): [
        Case(
            "*=401",
            lambda s: "/api/v1/auth/token/",
            data=lambda s: {"username": "delegate-irn", "password": "wrong"},
        )
    ],
    # Sign-out revokes the token the request was made with: these requests
    # carry a session, not a token, so there is nothing to revoke.
    ("/api/v1/auth/token/", "delete"): [Case("*=401", lambda s: "/api/v1/auth/token/")],
    # A token is its owner's (China's delegate here) and the secretariat's.
    ("/api/v1/auth/tokens/", "get"): [
        Case(
            "anon=401 *=200",
            lambda s: "/api/v1/auth/tokens/",
            secret=lambda s, r: s.token.prefix in r.content.decode(),
            seen_by="other,sec",
        )
    ],
    ("/api/v1/auth/tokens/{id}/", "get"): [
        Case("anon=401 other,sec=200 *=404", lambda s: f"/api/v1/auth/tokens/{s.token.pk}/")
    ],
    ("/api/v1/auth/tokens/{id}/", "delete"): [
        Case(
            "anon=401 other,sec=204 *=404",
            lambda s: f"/api/v1/auth/tokens/{s.token.pk}/",
            effect=lambda s: ApiToken.objects.get(pk=s.token.pk).revoked_at is not None,
            effect_by="other,sec",
        )
    ],
    # Initiatives: their status is public; reasons and statements are internal;
    # drafts are for the coordinator state and staff.
    ("/api/v1/initiatives/", "get"): [Case("*=200", lambda s: "/api/v1/initiatives/")],
    ("/api/v1/initiatives/", "post"): [
        Case(
            "anon=401 obs=403 other,concerned,coord=201 chair,sec=403",
            lambda s: "/api/v1/initiatives/",
            data=lambda s: {"measure": "HUM-1"},
        )
    ],
    ("/api/v1/initiatives/{id}/", "get"): [
        Case(
            "*=200",
            lambda s: f"/api/v1/initiatives/{s.main.pk}/",
            label="statement",
            secret=STATEMENT,
            seen_by=INTERNALS,
        ),
        Case(
            "*=200",
            lambda s: f"/api/v1/initiatives/{s.draft.pk}/",
            label="draft",
            secret=DRAFT_NAME,
            seen_by="coord,chair,sec",
        ),
    ],
    ("/api/v1/initiatives/{id}/actions/", "get"): [
        Case("*=200", lambda s: f"/api/v1/initiatives/{s.main.pk}/actions/")
    ],
    ("/api/v1/initiatives/{id}/declare-interest/", "post"): [
        # Iran has declared already: allowed, but not twice.
        Case(
            "anon=401 obs=403 other=200 concerned=409 coord=200 chair,sec=403",
            lambda s: f"/api/v1/initiatives/{s.main.pk}/declare-interest/",
            data=lambda s: {},
        )
    ],
    ("/api/v1/initiatives/{id}/open-consultation/", "post"): [
        Case(
            "anon=401 obs,other,concerned,coord=403 chair,sec=200",
            lambda s: f"/api/v1/initiatives/{s.declared.pk}/open-consultation/",
            data=lambda s: {},
        )
    ],
    ("/api/v1/initiatives/{id}/designate-coordinators/", "post"): [
        Case(
            "anon=401 obs,other,concerned,coord=403 chair,sec=200",
            lambda s: f"/api/v1/initiatives/{s.consult.pk}/designate-coordinators/",
            data=lambda s: {"coordinators": ["TJK"]},
        )
    ],
    ("/api/v1/initiatives/{id}/charge-experts/", "post"): [
        Case(
            "anon=401 obs,other,concerned,coord,chair=403 sec=200",
            lambda s: f"/api/v1/initiatives/{s.b.pk}/charge-experts/",
            data=lambda s: {"meeting": s.specialised_meeting.pk, "experts": [s.expert.pk]},
        )
    ],
    ("/api/v1/initiatives/{id}/submit-paper/", "post"): [
        Case(
            "anon=401 obs,other,concerned=403 coord=200 chair,sec=403",
            lambda s: f"/api/v1/initiatives/{s.draft.pk}/submit-paper/",
            data=lambda s: {"file": pdf("v2.pdf"), "language": "en"},
            multipart=True,
        )
    ],
    ("/api/v1/initiatives/{id}/circulate/", "post"): [
        Case(
            "anon=401 obs,other,concerned,coord,chair=403 sec=200",
            lambda s: f"/api/v1/initiatives/{s.draft.pk}/circulate/",
            data=lambda s: {"deadline": _soon(s)},
        )
    ],
    ("/api/v1/initiatives/{id}/refer-to-swg/", "post"): [
        Case(
            "anon=401 obs,other,concerned,coord,chair=403 sec=200",
            lambda s: f"/api/v1/initiatives/{s.circ.pk}/refer-to-swg/",
            data=lambda s: {},
        )
    ],
    ("/api/v1/initiatives/{id}/record-swg-decision/", "post"): [
        Case(
            "anon=401 obs,other,concerned,coord,chair=403 sec=200",
            lambda s: f"/api/v1/initiatives/{s.swg.pk}/record-swg-decision/",
            data=lambda s: {"meeting": s.swg_meeting.pk, "outcome": "approved"},
        )
    ],
    ("/api/v1/initiatives/{id}/record-soc-decision/", "post"): [
        Case(
            "anon=401 obs,other,concerned,coord,chair=403 sec=200",
            lambda s: f"/api/v1/initiatives/{s.soc.pk}/record-soc-decision/",
            data=lambda s: {"meeting": s.soc_meeting.pk, "outcome": "approved"},
        )
    ],
    ("/api/v1/initiatives/{id}/start-silence-procedure/", "post"): [
        Case(
            "anon=401 obs,other,concerned,coord,chair=403 sec=200",
            lambda s: f"/api/v1/initiatives/{s.swg.pk}/start-silence-procedure/",
            data=lambda s: {"body": "swg", "draft_text": "Approve.", "deadline": _soon(s)},
        )
    ],
    ("/api/v1/initiatives/{id}/withdraw/", "post"): [
        # The state concerned declared interest but does not coordinate.
        Case(
            "anon=401 obs,other,concerned=403 coord=200 chair=403 sec=200",
            lambda s: f"/api/v1/initiatives/{s.draft.pk}/withdraw/",
            # confirm=1: the page's second, confirming POST (issue 16).
            data=lambda s: {"reason": "Overtaken by events.", "confirm": "1"},
        )
    ],
    # Paper files: a draft for the coordinator state and staff; a circulated
    # paper for the states it was circulated to (members here) and staff.
    # One who may not see it is told there is no such paper (404, issue 13
    # item 18); an anonymous client is asked to sign in (401).
    ("/api/v1/papers/{id}/file/", "get"): [
        Case(
            "anon=401 obs,other,concerned=404 coord,chair,sec=200",
            lambda s: f"/api/v1/papers/{s.draft_paper.pk}/file/",
            label="draft",
        ),
        Case(
            "anon=401 obs=404 *=200",
            lambda s: f"/api/v1/papers/{s.circulated_paper.pk}/file/",
            label="circulated-to-members",
        ),
    ],
    # Meetings and decisions: public reads; the secretariat schedules.
    ("/api/v1/meetings/", "get"): [Case("*=200", lambda s: "/api/v1/meetings/")],
    ("/api/v1/meetings/", "post"): [
        Case(
            "anon=401 obs,other,concerned,coord,chair=403 sec=201",
            lambda s: "/api/v1/meetings/",
            data=lambda s: {"body": "swg", "date": _soon(s), "present": ["KAZ"]},
        )
    ],
    ("/api/v1/meetings/{id}/", "get"): [
        Case("*=200", lambda s: f"/api/v1/meetings/{s.specialised_meeting.pk}/")
    ],
    # Attendance is recorded and corrected by the secretariat (issue 13 item 6).
    ("/api/v1/meetings/{id}/attendance/", "put"): [
        Case(
            "anon=401 obs,other,concerned,coord,chair=403 sec=200",
            lambda s: f"/api/v1/meetings/{s.swg_meeting.pk}/attendance/",
            data=lambda s: {"present": ["IRN", "TJK", "CHN", "KAZ", "MNG"]},
            effect=lambda s: s.swg_meeting.present.filter(code="MNG").exists(),
            effect_by="sec",
        )
    ],
    ("/api/v1/decisions/", "get"): [
        Case(
            "*=200",
            lambda s: "/api/v1/decisions/",
            secret=lambda s, r: any(d["objecting"] for d in r.json()["results"]),
            seen_by=INTERNALS,
        )
    ],
    ("/api/v1/decisions/{id}/", "get"): [
        Case(
            "*=200",
            lambda s: f"/api/v1/decisions/{s.no_consensus.pk}/",
            secret=lambda s, r: r.json()["objecting"] == ["CHN"],
            seen_by=INTERNALS,
        )
    ],
    # Circulations: to the states addressed and staff; positions for member
    # states and staff, never observers; answers for one's own state.
    ("/api/v1/circulations/", "get"): [
        Case(
            "anon=401 *=200",
            lambda s: "/api/v1/circulations/",
        )
    ],
    ("/api/v1/circulations/{id}/", "get"): [
        Case(
            "anon=401 obs=404 *=200",
            lambda s: f"/api/v1/circulations/{s.main_circulation.pk}/",
            label="to-members",
        ),
        Case(
            "anon=401 *=200",
            lambda s: f"/api/v1/circulations/{s.observers_circulation.pk}/",
            label="to-members-and-observers",
            secret=POSITION,
            seen_by=INTERNALS,
        ),
    ],
    ("/api/v1/circulations/{id}/answer/", "post"): [
        Case(
            "anon=401 obs=404 other,concerned,coord=200 chair,sec=403",
            lambda s: f"/api/v1/circulations/{s.main_circulation.pk}/answer/",
            data=lambda s: {"position": "support"},
        )
    ],
    ("/api/v1/circulations/{id}/acknowledge/", "post"): [
        Case(
            "anon=401 obs,other,concerned,coord=200 chair,sec=403",
            lambda s: f"/api/v1/circulations/{s.observers_circulation.pk}/acknowledge/",
            data=lambda s: {},
        )
    ],
    # Notifications: one's own only, staff included.
    ("/api/v1/notifications/", "get"): [Case("anon=401 *=200", lambda s: "/api/v1/notifications/")],
    ("/api/v1/notifications/{id}/", "get"): [
        Case(
            "anon=401 concerned=200 *=404",
            lambda s: f"/api/v1/notifications/{s.notification.pk}/",
        )
    ],
    ("/api/v1/notifications/{id}/read/", "post"): [
        Case(
            "anon=401 concerned=200 *=404",
            lambda s: f"/api/v1/notifications/{s.notification.pk}/read/",
            data=lambda s: {},
        )
    ],
    ("/api/v1/notifications/read-all/", "post"): [
        Case("anon=401 *=200", lambda s: "/api/v1/notifications/read-all/", data=lambda s: {})
    ],
    ("/api/v1/notifications/unread-count/", "get"): [
        Case("anon=401 *=200", lambda s: "/api/v1/notifications/unread-count/")
    ],
    # Experts: the roster is public; contacts for the designating state and
    # the secretariat; a member state designates for itself.
    ("/api/v1/experts/", "get"): [
        Case("*=200", lambda s: "/api/v1/experts/", secret=EXPERT_CONTACT, seen_by="coord,sec")
    ],
    ("/api/v1/experts/", "post"): [
        Case(
            "anon=401 obs=403 other,concerned,coord=201 chair,sec=403",
            lambda s: "/api/v1/experts/",
            data=lambda s: {"measure": "ECO-1", "name": "Dr New"},
        )
    ],
    ("/api/v1/experts/{id}/", "get"): [
        Case(
            "*=200",
            lambda s: f"/api/v1/experts/{s.expert.pk}/",
            secret=EXPERT_CONTACT,
            seen_by="coord,sec",
        )
    ],
    ("/api/v1/experts/{id}/end/", "post"): [
        Case(
            "anon=401 obs,other,concerned=403 coord=200 chair=403 sec=200",
            lambda s: f"/api/v1/experts/{s.expert.pk}/end/",
            data=lambda s: {},
        )
    ],
    # Information: unpublished submissions for their states and staff; the
    # secretariat disseminates or returns; a named co-submitter confirms.
    ("/api/v1/information/", "get"): [
        Case(
            "*=200",
            lambda s: "/api/v1/information/",
            secret=PRIVATE_TITLE,
            seen_by="concerned,coord,chair,sec",
        )
    ],
    ("/api/v1/information/", "post"): [
        Case(
            "anon=401 obs=403 other,concerned,coord=201 chair,sec=403",
            lambda s: "/api/v1/information/",
            data=lambda s: {
                "title": "New information",
                "text": "Text.",
                "kind": "views",
                "language": "en",
                "measures": ["ECO-1"],
            },
            multipart=True,
        )
    ],
    ("/api/v1/information/{id}/", "get"): [
        Case(
            "anon,obs,other=404 *=200",
            lambda s: f"/api/v1/information/{s.private_information.pk}/",
            label="submitted",
        ),
        Case(
            "*=200",
            lambda s: f"/api/v1/information/{s.public_information.pk}/",
            label="disseminated-publicly",
        ),
    ],
    ("/api/v1/information/{id}/attachments/{attachment_id}/", "get"): [
        Case(
            "anon,obs,other=404 *=200",
            lambda s: (
                f"/api/v1/information/{s.private_information.pk}/attachments/{s.attachment.pk}/"
            ),
        )
    ],
    ("/api/v1/information/{id}/confirm/", "post"): [
        Case(
            "anon=401 obs,other=404 concerned=403 coord=200 chair,sec=403",
            lambda s: f"/api/v1/information/{s.private_information.pk}/confirm/",
            data=lambda s: {},
        )
    ],
    # issue 13 item 13: the co-submitter declines; the submitting state removes one.
    ("/api/v1/information/{id}/decline/", "post"): [
        Case(
            "anon=401 obs,other=404 concerned=403 coord=200 chair,sec=403",
            lambda s: f"/api/v1/information/{s.private_information.pk}/decline/",
            data=lambda s: {"reason": "Not ours."},
            effect=lambda s: s.private_information.co_submitters.filter(
                declined_at__isnull=False
            ).exists(),
            effect_by="coord",
        )
    ],
    ("/api/v1/information/{id}/remove-co-submitter/", "post"): [
        Case(
            "anon=401 obs,other=404 concerned=200 coord,chair,sec=403",
            lambda s: f"/api/v1/information/{s.private_information.pk}/remove-co-submitter/",
            data=lambda s: {"participant": "tjk"},
            effect=lambda s: not s.private_information.co_submitters.exists(),
            effect_by="concerned",
        )
    ],
    ("/api/v1/information/{id}/disseminate/", "post"): [
        # Allowed to the secretariat, not yet: Tajikistan has not confirmed.
        Case(
            "anon=401 obs,other=404 concerned,coord,chair=403 sec=409",
            lambda s: f"/api/v1/information/{s.private_information.pk}/disseminate/",
            data=lambda s: {},
        )
    ],
    ("/api/v1/information/{id}/return/", "post"): [
        Case(
            "anon=401 obs,other=404 concerned,coord,chair=403 sec=200",
            lambda s: f"/api/v1/information/{s.private_information.pk}/return/",
            data=lambda s: {"reason": "Out of scope."},
        )
    ],
    # --- issue 17 v4: the participation table, the SOC's document: every
    # signed-in reader here is staff or a member's or an observer's delegate.
    ("/api/v1/reporting-cycles/{id}/participation/", "get"): [
        Case(
            "anon=401 *=200",
            lambda s: f"/api/v1/reporting-cycles/{s.participation_cycle.pk}/participation/",
        )
    ],
    # --- issue 17 v5: the consolidated report, each with their visibility; the
    # public only once the cycle is closed (the scenario's 2027 cycle is open).
    ("/api/v1/reporting-cycles/{id}/report/", "get"): [
        Case(
            "anon=401 *=200",
            lambda s: f"/api/v1/reporting-cycles/{_v5_cycle_id()}/report/",
            secret=V5_REPORT_SECRET,
            seen_by="concerned,sec",
        )
    ],
    # --- issue 17 v3: annual reporting. Cycles are public; the secretariat
    # opens and closes them. A draft return is its state's and the
    # secretariat's (404 to anyone else); a submitted one is read by those
    # its visibility opens it to; only the state's delegates (or the
    # secretariat on its behalf) file and correct.
    ("/api/v1/reporting-cycles/", "get"): [Case("*=200", lambda s: "/api/v1/reporting-cycles/")],
    ("/api/v1/reporting-cycles/", "post"): [
        Case(
            "anon=401 sec=201 *=403",
            lambda s: "/api/v1/reporting-cycles/",
            data=lambda s: {
                "year": s.today.year + 2,
                "due_on": f"{s.today.year + 2}-12-31",
                "areas": ["ECO"],
            },
        )
    ],
    ("/api/v1/reporting-cycles/{id}/", "get"): [
        Case("*=200", lambda s: f"/api/v1/reporting-cycles/{s.v3['cycle'].pk}/")
    ],
    ("/api/v1/reporting-cycles/{id}/close/", "post"): [
        Case(
            "anon=401 sec=200 *=403",
            lambda s: f"/api/v1/reporting-cycles/{s.v3['cycle'].pk}/close/",
            data=lambda s: {},
        )
    ],
    ("/api/v1/returns/", "get"): [
        Case(
            "*=200",
            lambda s: "/api/v1/returns/",
            secret=RETURN_DRAFT_TEXT,
            seen_by="concerned,sec",
        )
    ],
    ("/api/v1/returns/", "post"): [
        Case(
            "anon=401 concerned,sec=201 *=403",
            lambda s: "/api/v1/returns/",
            data=lambda s: {
                "cycle": s.v3["cycle"].pk,
                "participant": "IRN",
                "kind": "national_report",
                "area": "ECO",
                "text": "Iran's report.",
            },
        )
    ],
    ("/api/v1/returns/{id}/", "get"): [
        Case(
            "concerned,sec=200 *=404",
            lambda s: f"/api/v1/returns/{s.v3['draft'].pk}/",
            label="draft",
        ),
        Case(
            "anon=404 *=200",
            lambda s: f"/api/v1/returns/{s.v3['submitted'].pk}/",
            label="submitted-to-members-and-observers",
        ),
    ],
    ("/api/v1/returns/{id}/", "patch"): [
        Case(
            "anon=401 concerned,sec=200 *=404",
            lambda s: f"/api/v1/returns/{s.v3['draft'].pk}/",
            data=lambda s: {"text": "Iran's report, revised."},
        )
    ],
    ("/api/v1/returns/{id}/submit/", "post"): [
        Case(
            "anon=401 concerned,sec=200 *=404",
            lambda s: f"/api/v1/returns/{s.v3['draft'].pk}/submit/",
            data=lambda s: {},
        )
    ],
    ("/api/v1/returns/{id}/correct/", "post"): [
        Case(
            "anon=401 concerned,sec=200 *=403",
            lambda s: f"/api/v1/returns/{s.v3['submitted'].pk}/correct/",
            data=lambda s: {"note": "A date was wrong.", "text": "Iran's corrected report."},
        )
    ],
    ("/api/v1/returns/{id}/versions/", "get"): [
        Case("anon=404 *=200", lambda s: f"/api/v1/returns/{s.v3['submitted'].pk}/versions/")
    ],
    ("/api/v1/returns/nil/", "post"): [
        Case(
            "anon=401 concerned,sec=201 *=403",
            lambda s: "/api/v1/returns/nil/",
            data=lambda s: {"cycle": s.v3["cycle"].pk, "participant": "IRN", "area": "ECO"},
        )
    ],
    ("/api/v1/returns/{id}/attachments/", "post"): [
        Case(
            "anon=401 concerned,sec=201 *=404",
            lambda s: f"/api/v1/returns/{s.v3['draft'].pk}/attachments/",
            data=lambda s: {"file": pdf("iran-programme.pdf")},
            multipart=True,
        )
    ],
    ("/api/v1/returns/{id}/attachments/{attachment_id}/", "get"): [
        Case(
            "anon=404 *=200",
            lambda s: (
                f"/api/v1/returns/{s.v3['submitted'].pk}/attachments/{s.v3['attachment'].pk}/"
            ),
        )
    ],
    # --- issue 17 v1: action plans. Approved plans are public; a draft is its
    # coordinator state's (Tajikistan) and staff's; a plan before the SWG or
    # the SOC is also the member states'. Coordinators draw up, change, submit
    # and amend; the secretariat records the decisions.
    ("/api/v1/action-plans/", "get"): [
        Case(
            "*=200",
            lambda s: "/api/v1/action-plans/",
            label="draft",
            secret=lambda s, r: s.plans["draft"].symbol in r.content.decode(),
            seen_by="coord,chair,sec",
        ),
        Case(
            "*=200",
            lambda s: "/api/v1/action-plans/",
            label="swg",
            secret=lambda s, r: s.plans["swg"].symbol in r.content.decode(),
            seen_by="other,concerned,coord,chair,sec",
        ),
    ],
    ("/api/v1/action-plans/", "post"): [
        Case(
            "anon=401 obs,other,concerned=403 coord=201 chair=403 sec=201",
            lambda s: "/api/v1/action-plans/",
            data=lambda s: {
                "initiative": s.plan_initiatives["fresh"].pk,
                "starts_in": s.today.year,
                "ends_in": s.today.year + 1,
            },
            effect=lambda s: ActionPlan.objects.filter(measure__code="NCT-4").exists(),
            effect_by="coord,sec",
        )
    ],
    ("/api/v1/action-plans/{id}/", "get"): [
        Case(
            "anon,obs,other,concerned=404 *=200",
            lambda s: f"/api/v1/action-plans/{s.plans['draft'].pk}/",
            label="draft",
            secret=PLAN_DRAFT_TEXT,
            seen_by="coord,chair,sec",
        ),
        Case(
            "anon,obs=404 *=200",
            lambda s: f"/api/v1/action-plans/{s.plans['swg'].pk}/",
            label="swg",
        ),
        Case(
            "*=200", lambda s: f"/api/v1/action-plans/{s.plans['approved'].pk}/", label="approved"
        ),
    ],
    ("/api/v1/action-plans/{id}/", "patch"): [
        Case(
            "anon=401 obs,other,concerned=404 coord=200 chair=403 sec=200",
            lambda s: f"/api/v1/action-plans/{s.plans['draft'].pk}/",
            data=lambda s: {"text": "Changed."},
            effect=lambda s: ActionPlan.objects.get(pk=s.plans["draft"].pk).text == "Changed.",
            effect_by="coord,sec",
        )
    ],
    ("/api/v1/action-plans/{id}/submit/", "post"): [
        Case(
            "anon=401 obs,other,concerned=404 coord=200 chair=403 sec=200",
            lambda s: f"/api/v1/action-plans/{s.plans['draft'].pk}/submit/",
            effect=lambda s: ActionPlan.objects.get(pk=s.plans["draft"].pk).status == "swg_review",
            effect_by="coord,sec",
        )
    ],
    ("/api/v1/action-plans/{id}/amend/", "post"): [
        Case(
            "anon=401 obs,other,concerned=403 coord=201 chair=403 sec=201",
            lambda s: f"/api/v1/action-plans/{s.plans['approved'].pk}/amend/",
            effect=lambda s: ActionPlan.objects.filter(amends=s.plans["approved"]).exists(),
            effect_by="coord,sec",
        )
    ],
    ("/api/v1/action-plans/{id}/decisions/", "post"): [
        Case(
            "anon=401 obs=404 other,concerned,coord,chair=403 sec=200",
            lambda s: f"/api/v1/action-plans/{s.plans['swg'].pk}/decisions/",
            data=lambda s: {"body": "swg", "meeting": s.swg_meeting.pk, "outcome": "approved"},
            effect=lambda s: ActionPlan.objects.get(pk=s.plans["swg"].pk).status == "soc_review",
            effect_by="sec",
        )
    ],
    # --- issue 17 v2: the activities register -------------------------------------------
    # Iran (concerned) hosts the three activities of HUM-2, which Tajikistan
    # (coord) coordinates: both enter and update them, with the secretariat.
    # The secretariat-only one is read by them alone (not found for others).
    ("/api/v1/activities/", "get"): [
        Case(
            "*=200",
            lambda s: "/api/v1/activities/",
            secret=V2_PRIVATE_TITLE,
            seen_by=V2_OWN,
        )
    ],
    ("/api/v1/activities/", "post"): [
        Case(
            "anon=401 obs,other=403 concerned,coord=201 chair=403 sec=201",
            lambda s: "/api/v1/activities/",
            data=lambda s: _v2_activity_body(),
            effect=lambda s: _v2_entered(),
            effect_by=V2_OWN,
        )
    ],
    ("/api/v1/activities/{id}/", "get"): [
        Case(
            "anon,obs,other,chair=404 *=200",
            lambda s: f"/api/v1/activities/{s.v2['secretariat'].pk}/",
            label="secretariat-only",
        ),
        Case(
            "anon=404 *=200",
            lambda s: f"/api/v1/activities/{s.v2['members_and_observers'].pk}/",
            label="members-and-observers",
        ),
    ],
    ("/api/v1/activities/{id}/", "patch"): [
        Case(
            "anon=401 obs,other,chair=403 *=200",
            lambda s: f"/api/v1/activities/{s.v2['public'].pk}/",
            data=lambda s: {"venue": "Isfahan"},
            effect=lambda s: _v2_activity(s, "public").venue == "Isfahan",
            effect_by=V2_OWN,
        )
    ],
    ("/api/v1/activities/{id}/status/", "post"): [
        Case(
            "anon=401 obs,other,chair=403 *=200",
            lambda s: f"/api/v1/activities/{s.v2['public'].pk}/status/",
            data=lambda s: {"status": "confirmed"},
            effect=lambda s: _v2_activity(s, "public").status == "confirmed",
            effect_by=V2_OWN,
        )
    ],
    ("/api/v1/activities/{id}/documents/", "get"): [
        Case(
            "anon,obs,other,chair=404 *=200",
            lambda s: f"/api/v1/activities/{s.v2['secretariat'].pk}/documents/",
        )
    ],
    ("/api/v1/activities/{id}/documents/", "post"): [
        Case(
            "anon=401 obs,other,chair=403 *=201",
            lambda s: f"/api/v1/activities/{s.v2['public'].pk}/documents/",
            data=lambda s: {"kind": "programme", "file": pdf("programme.pdf")},
            multipart=True,
            effect=lambda s: s.v2["public"].documents.exists(),
            effect_by=V2_OWN,
        )
    ],
    ("/api/v1/activities/{id}/documents/{document_id}/", "get"): [
        Case(
            "anon,obs,other,chair=404 *=200",
            lambda s: (
                f"/api/v1/activities/{s.v2['secretariat'].pk}/documents/{s.v2['document'].pk}/"
            ),
        )
    ],
    # --- end of issue 17 v2 -----------------------------------------------------------
}


# --- pages ------------------------------------------------------------------------------

STAFF_ONLY = "anon,obs,other,concerned,coord=admin-login chair,sec=200"


def _declared_eco10(s):
    return InterestDeclaration.objects.filter(initiative__measure__code="ECO-10").exists()


def _status(name, status):
    return lambda s: Initiative.objects.get(pk=s.initiatives[name].pk).status == status


def _shows_draft(s, response) -> bool:
    return f"/papers/{s.draft_paper.pk}/".encode() in response.content


def _shows_soc_paper(s, response) -> bool:
    # ENV-4's paper, circulated to members, before the SWG meeting that approved it.
    return f"/papers/{s.soc.papers.get().pk}/".encode() in response.content


def _shows_positions(s, response) -> bool:
    # The receipts table has a position column for those who may see positions.
    return b'<th scope="col">Position</th>' in response.content


# (route as the resolver spells it, method) -> cases. Pages answer a refusal
# with a page (403/404 with the reason), sign-in first where a page needs it.
PAGES: dict[tuple[str, str], list[Case]] = {
    # Public pages.
    # The secretariat's desk is its dashboard (issue 16 item 5).
    # Nobody signed in gets the public landing page, never a draft or a
    # position on it (issue 16 item 5).
    ("", "get"): [
        Case(
            "anon=200 sec=dashboard *=200",
            lambda s: "/",
            label="draft",
            secret=_shows_draft,
            # Nobody's 200 (the secretariat is sent to its dashboard).
            seen_by="sec",
        ),
        Case(
            "anon=200 sec=dashboard *=200",
            lambda s: "/",
            label="position",
            secret=POSITION,
            seen_by="sec",
        ),
    ],
    ("catalogue/", "get"): [Case("*=200", lambda s: "/catalogue/")],
    ("catalogue/<str:code>/", "get"): [Case("*=200", lambda s: "/catalogue/ECO-8/")],
    ("catalogue/<str:code>/declare/", "get"): [
        # Only a member state's delegate is shown the form (issue 16 item 5).
        Case(
            "anon=login obs=403 other,concerned,coord=200 chair,sec=403",
            lambda s: "/catalogue/ECO-10/declare/",
        )
    ],
    ("catalogue/<str:code>/declare/", "post"): [
        Case(
            "anon=login obs=403 other,concerned,coord=302 chair,sec=403",
            lambda s: "/catalogue/ECO-10/declare/",
            data=lambda s: {"statement": ""},
            effect=_declared_eco10,
            effect_by="other,concerned,coord",
        )
    ],
    ("initiatives/<int:pk>/", "get"): [
        Case(
            "*=200",
            lambda s: f"/initiatives/{s.draft.pk}/",
            label="draft",
            secret=_shows_draft,
            seen_by="coord,chair,sec",
        ),
        Case(
            "*=200",
            lambda s: f"/initiatives/{s.main.pk}/",
            label="statement",
            secret=STATEMENT,
            seen_by=INTERNALS,
        ),
    ],
    ("initiatives/<int:pk>/<str:action>/", "get"): [
        # A form the role may not use is not shown (issue 16 item 5).
        Case(
            "anon=login obs,other,concerned,chair=403 *=200",
            lambda s: f"/initiatives/{s.draft.pk}/withdraw/",
        )
    ],
    ("initiatives/<int:pk>/<str:action>/", "post"): [
        Case(
            "anon=login obs,other,concerned=403 coord=302 chair=403 sec=302",
            lambda s: f"/initiatives/{s.draft.pk}/withdraw/",
            # confirm=1: the page's second, confirming POST (issue 16).
            data=lambda s: {"reason": "Overtaken by events.", "confirm": "1"},
            effect=_status("draft", "withdrawn"),
            effect_by="coord,sec",
        )
    ],
    ("papers/<int:pk>/", "get"): [
        Case(
            "anon=login obs,other,concerned=404 coord,chair,sec=200",
            lambda s: f"/papers/{s.draft_paper.pk}/",
            label="draft",
        ),
        Case(
            "anon=login obs=404 *=200",
            lambda s: f"/papers/{s.circulated_paper.pk}/",
            label="circulated-to-members",
        ),
    ],
    ("circulations/", "get"): [Case("anon=login *=200", lambda s: "/circulations/")],
    ("circulations/<int:pk>/", "get"): [
        Case(
            "anon=login obs=404 *=200",
            lambda s: f"/circulations/{s.main_circulation.pk}/",
            label="to-members",
        ),
        Case(
            "anon=login *=200",
            lambda s: f"/circulations/{s.observers_circulation.pk}/",
            label="to-members-and-observers",
            secret=_shows_positions,
            seen_by=INTERNALS,
        ),
    ],
    ("circulations/<int:pk>/", "post"): [
        Case(
            "anon=login obs=404 other,concerned,coord=302 chair,sec=403",
            lambda s: f"/circulations/{s.main_circulation.pk}/",
            data=lambda s: {"position": "support", "confirm": "1"},
            effect=lambda s: Receipt.objects.filter(
                circulation=s.main_circulation, position="support"
            ).exists(),
            effect_by="other,concerned,coord",
        )
    ],
    ("information/", "get"): [
        Case(
            "*=200",
            lambda s: "/information/",
            secret=PRIVATE_TITLE,
            seen_by="concerned,coord,chair,sec",
        )
    ],
    # Only a member state's delegate submits information (issue 16 item 5).
    ("information/new/", "get"): [
        Case("anon=login obs,chair,sec=403 *=200", lambda s: "/information/new/")
    ],
    ("information/new/", "post"): [
        Case(
            "anon=login obs=403 other,concerned,coord=302 chair,sec=403",
            lambda s: "/information/new/",
            data=lambda s: {
                "title": "Page information",
                "text": "Text.",
                "kind": "views",
                "language": "en",
                "visibility": "members",
                "measures": [Measure.objects.get(code="ECO-1").pk],
            },
            effect=lambda s: InformationSubmission.objects.filter(
                title="Page information"
            ).exists(),
            effect_by="other,concerned,coord",
        )
    ],
    ("information/<int:pk>/", "get"): [
        Case(
            "anon,obs,other=404 *=200",
            lambda s: f"/information/{s.private_information.pk}/",
            label="submitted",
        ),
        Case(
            "*=200",
            lambda s: f"/information/{s.public_information.pk}/",
            label="disseminated-publicly",
        ),
    ],
    ("information/<int:pk>/confirm/", "post"): [
        Case(
            "anon=login obs,other=404 concerned=403 coord=302 chair,sec=403",
            lambda s: f"/information/{s.private_information.pk}/confirm/",
            data=lambda s: {},
            effect=lambda s: s.private_information.co_submitters.filter(
                confirmed_at__isnull=False
            ).exists(),
            effect_by="coord",
        )
    ],
    ("information/<int:pk>/decline/", "post"): [
        Case(
            "anon=login obs,other=404 concerned=403 coord=302 chair,sec=403",
            lambda s: f"/information/{s.private_information.pk}/decline/",
            data=lambda s: {"reason": "Not ours."},
            effect=lambda s: s.private_information.co_submitters.filter(
                declined_at__isnull=False
            ).exists(),
            effect_by="coord",
        )
    ],
    ("information/<int:pk>/remove-co-submitter/", "post"): [
        Case(
            "anon=login obs,other=404 concerned=302 coord,chair,sec=403",
            lambda s: f"/information/{s.private_information.pk}/remove-co-submitter/",
            data=lambda s: {"participant": "TJK"},
            effect=lambda s: not s.private_information.co_submitters.exists(),
            effect_by="concerned",
        )
    ],
    ("experts/", "get"): [
        Case("*=200", lambda s: "/experts/", secret=EXPERT_CONTACT, seen_by="coord,sec")
    ],
    ("experts/new/", "get"): [Case("anon=login *=200", lambda s: "/experts/new/")],
    ("experts/new/", "post"): [
        Case(
            "anon=login obs=403 other,concerned,coord=302 chair,sec=403",
            lambda s: "/experts/new/",
            data=lambda s: {
                "measure": Measure.objects.get(code="ECO-1").pk,
                "name": "Dr Page",
                "started_on": s.today.isoformat(),
            },
            effect=lambda s: Expert.objects.filter(name="Dr Page").exists(),
            effect_by="other,concerned,coord",
        )
    ],
    ("notifications/", "get"): [Case("anon=login *=200", lambda s: "/notifications/")],
    ("notifications/read/", "post"): [
        Case(
            "anon=login concerned=302 *=404",
            lambda s: "/notifications/read/",
            data=lambda s: {"id": str(s.notification.pk)},
            effect=lambda s: Notification.objects.filter(
                pk=s.notification.pk, read_at__isnull=False
            ).exists(),
            effect_by="concerned",
        )
    ],
    ("search/", "get"): [
        Case(
            "*=200",
            lambda s: f"/search/?q={s.draft_paper.symbol}",
            secret=_shows_draft,
            seen_by="coord,chair,sec",
        )
    ],
    ("meetings.ics", "get"): [Case("*=200", lambda s: "/meetings.ics")],
    ("meetings/<str:code>.ics", "get"): [Case("*=200", lambda s: "/meetings/KAZ.ics")],
    # Meeting pages (issue 16 item 10): public, as the meetings API's reads;
    # papers as papers_visible, objections to staff and member states.
    ("meetings/", "get"): [Case("*=200", lambda s: "/meetings/")],
    ("meetings/<int:pk>/", "get"): [
        Case(
            "*=200",
            lambda s: f"/meetings/{s.swg_meeting.pk}/",
            label="papers",
            secret=_shows_soc_paper,
            seen_by=INTERNALS,
        ),
        Case(
            "*=200",
            lambda s: f"/meetings/{s.swg_meeting.pk}/",
            label="objections",
            secret='class="objecting">CHN',
            seen_by=INTERNALS,
        ),
        Case("*=200", lambda s: f"/meetings/{s.specialised_meeting.pk}/", label="specialised"),
    ],
    # Sign-in and the language switch.
    ("accounts/login/", "get"): [Case("*=200", lambda s: "/accounts/login/")],
    ("accounts/logout/", "post"): [Case("*=302", lambda s: "/accounts/logout/", data=lambda s: {})],
    ("accounts/password_change/", "get"): [
        Case("anon=login *=200", lambda s: "/accounts/password_change/")
    ],
    ("accounts/password_change/done/", "get"): [
        Case("anon=login *=200", lambda s: "/accounts/password_change/done/")
    ],
    ("accounts/password_reset/", "get"): [Case("*=200", lambda s: "/accounts/password_reset/")],
    ("accounts/password_reset/done/", "get"): [
        Case("*=200", lambda s: "/accounts/password_reset/done/")
    ],
    ("accounts/reset/<uidb64>/<token>/", "get"): [
        Case("*=200", lambda s: "/accounts/reset/MQ/set-password/")
    ],
    ("accounts/reset/done/", "get"): [Case("*=200", lambda s: "/accounts/reset/done/")],
    ("i18n/setlang/", "post"): [
        Case("*=302", lambda s: "/i18n/setlang/", data=lambda s: {"language": "en"})
    ],
    # Each signed-in user's own preferences (issue 16 item 3).
    ("preferences/", "get"): [Case("anon=login *=200", lambda s: "/preferences/")],
    ("preferences/", "post"): [
        Case(
            "anon=login *=302",
            lambda s: "/preferences/",
            data=lambda s: {"language": "en", "email_frequency": "daily"},
        )
    ],
    # The API's documentation is public, like the reads it documents.
    ("api/schema/", "get"): [Case("*=200", lambda s: "/api/schema/")],
    # Load balancers ask without signing in; it tells nothing private.
    ("healthz", "get"): [Case("*=200", lambda s: "/healthz")],
    ("api/docs/", "get"): [Case("*=200", lambda s: "/api/docs/")],
    ("api/redoc/", "get"): [Case("*=200", lambda s: "/api/redoc/")],
    ("^api/", "get"): [Case("*=404", lambda s: "/api/v0/nothing/")],
    # The secretariat's and the Chair's pages in the admin.
    ("admin/dashboard/", "get"): [Case(STAFF_ONLY, lambda s: "/admin/dashboard/")],
    ("admin/report/", "get"): [Case(STAFF_ONLY, lambda s: "/admin/report/")],
    # --- issue 17 v5: the consolidated report and its PDF (signed in while the
    # cycle is open; each reader with their visibility).
    ("reporting/<int:year>/report/", "get"): [
        Case(
            "anon=login *=200",
            lambda s: "/reporting/2027/report/",
            secret=V5_REPORT_SECRET,
            seen_by="concerned,sec",
        )
    ],
    ("reporting/<int:year>/report.pdf", "get"): [
        Case("anon=login *=200", lambda s: "/reporting/2027/report.pdf")
    ],
    ("admin/import/<str:kind>/", "get"): [
        Case(
            "anon,obs,other,concerned,coord=admin-login chair=403 sec=200",
            lambda s: "/admin/import/participants/",
        )
    ],
    ("admin/import/<str:kind>/template.csv", "get"): [
        Case(
            "anon,obs,other,concerned,coord=admin-login chair=403 sec=200",
            lambda s: "/admin/import/designations/template.csv",
        )
    ],
    # The roster's admin moved from members to measures: the old address
    # redirects, for everyone, to the new one (which then asks who you are).
    ("^admin/members/expert/(?P<rest>.*)$", "get"): [
        Case("*=302", lambda s: f"/admin/members/expert/{s.expert.pk}/change/")
    ],
    ("admin/", "get"): [Case(STAFF_ONLY, lambda s: "/admin/")],
    ("admin/login/", "get"): [
        Case("anon,obs,other,concerned,coord=200 chair,sec=302", lambda s: "/admin/login/")
    ],
    ("admin/logout/", "post"): [Case("*=302", lambda s: "/admin/logout/", data=lambda s: {})],
    ("admin/password_change/", "get"): [Case(STAFF_ONLY, lambda s: "/admin/password_change/")],
    ("admin/password_change/done/", "get"): [
        Case(STAFF_ONLY, lambda s: "/admin/password_change/done/")
    ],
    # Without its parameters the autocomplete refuses staff too.
    ("admin/autocomplete/", "get"): [
        Case(
            "anon,obs,other,concerned,coord=admin-login chair,sec=403",
            lambda s: "/admin/autocomplete/",
        )
    ],
    ("admin/jsi18n/", "get"): [Case(STAFF_ONLY, lambda s: "/admin/jsi18n/")],
    ("admin/r/<path:content_type_id>/<path:object_id>/", "get"): [
        Case(
            "anon,obs,other,concerned,coord=admin-login chair,sec=404",
            lambda s: (
                f"/admin/r/{ContentType.objects.get_for_model(Measure).pk}/"
                f"{Measure.objects.get(code='ECO-8').pk}/"
            ),
        )
    ],
    ("admin/^(?P<app_label>{apps})/$", "get"): [
        Case(STAFF_ONLY, lambda s: "/admin/measures/", label="measures"),
        Case(
            "anon,obs,other,concerned,coord=admin-login chair=404 sec=200",
            lambda s: "/admin/auth/",
            label="auth",
        ),
    ],
    ("admin/(?P<url>.*)$", "get"): [
        Case(
            "anon,obs,other,concerned,coord=admin-login chair,sec=404",
            lambda s: "/admin/nothing/here/",
        )
    ],
    # Setting a user's password: the secretariat keeps the accounts.
    ("admin/auth/user/<id>/password/", "get"): [
        Case(
            "anon,obs,other,concerned,coord=admin-login chair=403 sec=200",
            lambda s: f"/admin/auth/user/{s.users['concerned'].pk}/password/",
        )
    ],
    # One form per workflow action on an initiative: the service decides.
    ("admin/measures/initiative/<int:pk>/act/<str:action>/", "get"): [
        Case(STAFF_ONLY, lambda s: f"/admin/measures/initiative/{s.draft.pk}/act/circulate/")
    ],
    ("admin/measures/initiative/<int:pk>/act/<str:action>/", "post"): [
        # The Chair's office is shown the refusal on the form.
        Case(
            "anon,obs,other,concerned,coord=admin-login chair=200 sec=302",
            lambda s: f"/admin/measures/initiative/{s.draft.pk}/act/circulate/",
            data=lambda s: {"deadline": _soon(s), "audience": "members"},
            effect=_status("draft", "circulated"),
            effect_by="sec",
        )
    ],
    # Buttons on a circulation and a submission: the secretariat's.
    ("admin/secretariat/circulation/<int:pk>/do/<str:action>/", "get"): [
        Case(
            "anon,obs,other,concerned,coord=admin-login chair=302 sec=200",
            lambda s: f"/admin/secretariat/circulation/{s.main_circulation.pk}/do/remind/",
        )
    ],
    ("admin/secretariat/informationsubmission/<int:pk>/do/<str:action>/", "get"): [
        Case(
            "anon,obs,other,concerned,coord=admin-login chair=302 sec=200",
            lambda s: (
                f"/admin/secretariat/informationsubmission/{s.private_information.pk}"
                "/do/disseminate/"
            ),
        )
    ],
    ("admin/secretariat/informationsubmission/<int:pk>/do/<str:action>/", "post"): [
        # The Chair's office is sent back to the record with the refusal.
        Case(
            "anon,obs,other,concerned,coord=admin-login chair,sec=302",
            lambda s: (
                f"/admin/secretariat/informationsubmission/{s.private_information.pk}/do/return/"
            ),
            data=lambda s: {"reason": "Out of scope."},
            effect=lambda s: (
                InformationSubmission.objects.get(pk=s.private_information.pk).status == "returned"
            ),
            effect_by="sec",
        )
    ],
    # --- issue 17 v4: the participation table's page (and its downloads).
    ("reporting/<int:year>/participation/", "get"): [
        Case(
            "anon=login *=200",
            lambda s: f"/reporting/{s.participation_cycle.year}/participation/",
        ),
        Case(
            "anon=login *=200",
            lambda s: f"/reporting/{s.participation_cycle.year}/participation/?download=csv",
            label="csv",
        ),
    ],
    # --- issue 17 v1: an action plan's page, and its coordinators' Submit and
    # Amend buttons (a POST, confirmed by a second POST with confirm=1).
    ("action-plans/<int:pk>/", "get"): [
        Case(
            "anon,obs,other,concerned=404 *=200",
            lambda s: f"/action-plans/{s.plans['draft'].pk}/",
            label="draft",
            secret=PLAN_DRAFT_TEXT,
            seen_by="coord,chair,sec",
        ),
        Case("*=200", lambda s: f"/action-plans/{s.plans['approved'].pk}/", label="approved"),
    ],
    ("action-plans/<int:pk>/do/<str:action>/", "get"): [
        Case(
            "anon=login obs,other,concerned=404 chair=403 coord,sec=200",
            lambda s: f"/action-plans/{s.plans['draft'].pk}/do/submit/",
        )
    ],
    ("action-plans/<int:pk>/do/<str:action>/", "post"): [
        Case(
            "anon=login obs,other,concerned=404 chair=403 coord,sec=302",
            lambda s: f"/action-plans/{s.plans['draft'].pk}/do/submit/",
            data=lambda s: {"confirm": "1"},
            effect=lambda s: ActionPlan.objects.get(pk=s.plans["draft"].pk).status == "swg_review",
            effect_by="coord,sec",
        )
    ],
    # --- issue 17 v2: the activities register -------------------------------------------
    ("activities/", "get"): [
        Case("*=200", lambda s: "/activities/", secret=V2_PRIVATE_TITLE, seen_by=V2_OWN)
    ],
    # A member or observer state may host an activity: the form is theirs too.
    ("activities/new/", "get"): [Case("anon=login chair=403 *=200", lambda s: "/activities/new/")],
    ("activities/new/", "post"): [
        Case(
            "anon=login obs,other,chair=403 concerned,coord,sec=302",
            lambda s: "/activities/new/",
            data=lambda s: _v2_activity_form(s),
            effect=lambda s: _v2_entered(),
            effect_by=V2_OWN,
        )
    ],
    ("activities/<int:pk>/", "get"): [
        Case(
            "anon,obs,other,chair=404 *=200",
            lambda s: f"/activities/{s.v2['secretariat'].pk}/",
            label="secretariat-only",
        ),
        Case("*=200", lambda s: f"/activities/{s.v2['public'].pk}/", label="public"),
    ],
    ("activities/<int:pk>/edit/", "get"): [
        Case(
            "anon=login obs,other,chair=403 *=200",
            lambda s: f"/activities/{s.v2['public'].pk}/edit/",
        )
    ],
    ("activities/<int:pk>/edit/", "post"): [
        Case(
            "anon=login obs,other,chair=403 *=302",
            lambda s: f"/activities/{s.v2['public'].pk}/edit/",
            data=lambda s: {**_v2_activity_form(s), "title_en": "Renamed seminar"},
            effect=lambda s: _v2_activity(s, "public").title_en == "Renamed seminar",
            effect_by=V2_OWN,
        )
    ],
    ("activities/<int:pk>/status/", "post"): [
        Case(
            "anon=login obs,other,chair=403 *=302",
            lambda s: f"/activities/{s.v2['public'].pk}/status/",
            data=lambda s: {"status": "confirmed"},
            effect=lambda s: _v2_activity(s, "public").status == "confirmed",
            effect_by=V2_OWN,
        )
    ],
    ("activities/<int:pk>/documents/", "post"): [
        Case(
            "anon=login obs,other,chair=403 *=302",
            lambda s: f"/activities/{s.v2['public'].pk}/documents/",
            data=lambda s: {"kind": "report", "file": pdf("report.pdf")},
            effect=lambda s: s.v2["public"].documents.exists(),
            effect_by=V2_OWN,
        )
    ],
    ("activities/<int:pk>/documents/<int:document_id>/", "get"): [
        Case(
            "anon,obs,other,chair=404 *=200",
            lambda s: f"/activities/{s.v2['secretariat'].pk}/documents/{s.v2['document'].pk}/",
        )
    ],
    # --- end of issue 17 v2 -----------------------------------------------------------
}

# --- issue 17 v6: the delegate's reporting pages ------------------------------------------
# A state's delegates file its returns (members only; the secretariat files on
# a state's behalf elsewhere); a submitted return is corrected, not filed
# again (409); a draft is read by its state and the secretariat only.


def _v6_year(s):
    return s.v6_cycle.year


def _v6_nil_by_chn_or_irn(s):
    from implementation.models import Return  # noqa: PLC0415

    return Return.objects.filter(
        cycle=s.v6_cycle,
        participant__code__in=["CHN", "IRN"],
        kind="nil_return",
        status="submitted",
    ).exists()


def _v6_report_saved(s):
    from implementation.models import Return  # noqa: PLC0415

    return Return.objects.filter(cycle=s.v6_cycle, text="v6 matrix report").exists()


def _v6_corrected(s):
    from implementation.models import Return  # noqa: PLC0415

    return Return.objects.get(pk=s.v6_tajik_nil.pk).version == 2


PAGES.update(
    {
        ("reporting/", "get"): [Case("anon=login *=200", lambda s: "/reporting/")],
        ("reporting/<int:year>/", "get"): [
            Case("anon=login *=200", lambda s: f"/reporting/{_v6_year(s)}/")
        ],
        ("reporting/<int:year>/<str:area>/nil/", "post"): [
            Case(
                # Tajikistan filed its nil return already: 409.
                "anon=login obs=403 other,concerned=302 coord=409 chair,sec=403",
                lambda s: f"/reporting/{_v6_year(s)}/ECO/nil/",
                data=lambda s: {"confirm": "1"},
                effect=_v6_nil_by_chn_or_irn,
                effect_by="other,concerned",
            )
        ],
        ("reporting/<int:year>/<str:area>/report/", "get"): [
            Case(
                "anon=login obs=403 other,concerned=200 coord=409 chair,sec=403",
                lambda s: f"/reporting/{_v6_year(s)}/ECO/report/",
            )
        ],
        ("reporting/<int:year>/<str:area>/report/", "post"): [
            Case(
                "anon=login obs=403 other,concerned=302 coord=409 chair,sec=403",
                lambda s: f"/reporting/{_v6_year(s)}/ECO/report/",
                data=lambda s: {
                    "save": "1",
                    "text": "v6 matrix report",
                    "visibility": "public",
                },
                effect=_v6_report_saved,
                effect_by="other,concerned",
            )
        ],
        ("reporting/<int:year>/progress/<str:code>/", "get"): [
            # Tajikistan coordinates ECO-3 under an approved plan.
            Case(
                "anon=login obs,other,concerned=403 coord=200 chair,sec=403",
                lambda s: f"/reporting/{_v6_year(s)}/progress/ECO-3/",
            )
        ],
        ("reporting/<int:year>/progress/<str:code>/", "post"): [
            Case(
                "anon=login obs,other,concerned=403 coord=302 chair,sec=403",
                lambda s: f"/reporting/{_v6_year(s)}/progress/ECO-3/",
                data=lambda s: {
                    "save": "1",
                    "text": "v6 matrix report",
                    "visibility": "public",
                },
                effect=_v6_report_saved,
                effect_by="coord",
            )
        ],
        ("returns/<int:pk>/", "get"): [
            Case(
                "anon=login obs,other,coord,chair=404 concerned,sec=200",
                lambda s: f"/returns/{s.v6_iran_draft.pk}/",
                label="draft",
                secret=V6_IRAN_DRAFT,
                seen_by="concerned,sec",
            ),
            Case(
                "*=200",
                lambda s: f"/returns/{s.v6_tajik_nil.pk}/",
                label="public-nil-return",
            ),
        ],
        ("returns/<int:pk>/correct/", "get"): [
            Case(
                "anon=login obs,other,concerned=403 coord=200 chair,sec=403",
                lambda s: f"/returns/{s.v6_tajik_nil.pk}/correct/",
            )
        ],
        ("returns/<int:pk>/correct/", "post"): [
            Case(
                "anon=login obs,other,concerned=403 coord=302 chair,sec=403",
                lambda s: f"/returns/{s.v6_tajik_nil.pk}/correct/",
                data=lambda s: {
                    "note": "Matrix correction.",
                    "kind": "nil_return",
                    "visibility": "public",
                },
                effect=_v6_corrected,
                effect_by="coord",
            )
        ],
    }
)
# --- end issue 17 v6 -------------------------------------------------------------------------

# The admin's own pages for each register: the list and one record's page.
# Staff only; the Chair's office reads the CICA registers (view rights on
# members, measures and secretariat), not the accounts; the secretariat keeps
# the registers, the accounts (and lifts sign-in lock-outs from there) and the
# API tokens (to revoke them). The technical registers — axes' lock-outs and
# logs, the periodic tasks and their schedules — are for superusers only
# (issue 16 item 13).
ADMIN_REGISTERS: dict[str, str] = {
    "auth.Group": "chair,sec=403",
    "auth.User": "chair=403 sec=200",
    "members.ApiToken": "chair=403 sec=200",
    "axes.AccessAttempt": "chair,sec=403",
    "axes.AccessLog": "chair,sec=403",
    "axes.AccessFailureLog": "chair,sec=403",
    "django_celery_beat.PeriodicTask": "chair,sec=403",
    "django_celery_beat.ClockedSchedule": "chair,sec=403",
    "django_celery_beat.CrontabSchedule": "chair,sec=403",
    "django_celery_beat.SolarSchedule": "chair,sec=403",
    "django_celery_beat.IntervalSchedule": "chair,sec=403",
    "members.Participant": "chair,sec=200",
    "members.Participation": "chair,sec=200",
    "members.ParticipantAlias": "chair,sec=200",
    "members.Chairmanship": "chair,sec=200",
    "members.Delegate": "chair,sec=200",
    "measures.PriorityArea": "chair,sec=200",
    "measures.Measure": "chair,sec=200",
    "measures.CoordinatorOffer": "chair,sec=200",
    "measures.AreaAlias": "chair,sec=200",
    "measures.Initiative": "chair,sec=200",
    "measures.Paper": "chair,sec=200",
    "measures.InitiativeEvent": "chair,sec=200",
    "measures.InterestDeclaration": "chair,sec=200",
    "measures.CoordinatorDesignation": "chair,sec=200",
    "measures.Expert": "chair,sec=200",
    "secretariat.Meeting": "chair,sec=200",
    "secretariat.Decision": "chair,sec=200",
    "secretariat.Circulation": "chair,sec=200",
    "secretariat.Receipt": "chair,sec=200",
    "secretariat.Notification": "chair,sec=200",
    "secretariat.InformationSubmission": "chair,sec=200",
    "secretariat.WebhookSubscription": "chair,sec=200",
    "secretariat.WebhookDelivery": "chair,sec=200",
    # issue 17 v3: annual reporting.
    "implementation.ReportingCycle": "chair,sec=200",
    "implementation.Return": "chair,sec=200",
    "implementation.ActionPlan": "chair,sec=200",  # issue 17 v1
    # Issue 17 v2: the activities register (read-only; actions call the services).
    "implementation.Activity": "chair,sec=200",
}
# What only some staff may read on a register's pages (contacts, secrets).
ADMIN_SECRETS: dict[str, tuple[str, str]] = {
    "measures.Expert": (EXPERT_CONTACT, "sec"),
    "secretariat.WebhookSubscription": (WEBHOOK_SECRET, "sec"),
}
# The record whose page is asked for, where it matters which.
ADMIN_RECORD: dict[str, Callable[[Any], Any]] = {
    "measures.Expert": lambda s: s.expert,
    "secretariat.WebhookSubscription": lambda s: s.webhook,
    "measures.Initiative": lambda s: s.draft,
    "measures.Paper": lambda s: s.draft_paper,
    "secretariat.Circulation": lambda s: s.observers_circulation,
    "secretariat.InformationSubmission": lambda s: s.private_information,
    "secretariat.Notification": lambda s: s.notification,
    "implementation.Activity": lambda s: s.v2["secretariat"],
}
# Admin routes every register has (generated by Django, simple-history and
# import-export); the list and the change page are asked for each register.
GENERIC_ADMIN_ROUTES = {
    "changelist",
    "add",
    "change",
    "delete",
    "history",
    "simple_history",
    "export",
}


def _admin_changelist_url(app_label: str, model_name: str) -> Callable[[Any], str]:
    return lambda s: f"/admin/{app_label}/{model_name}/"


def _admin_change_url(app_label: str, model_name: str, label: str) -> Callable[[Any], str]:
    return lambda s: f"/admin/{app_label}/{model_name}/{_admin_record(s, label).pk}/change/"


def admin_cases() -> dict[tuple[str, str], Case]:
    cases = {}
    for label, chair_and_sec in ADMIN_REGISTERS.items():
        spec = f"anon,obs,other,concerned,coord=admin-login {chair_and_sec}"
        app_label, model_name = label.lower().split(".")
        secret, seen_by = ADMIN_SECRETS.get(label, (None, ""))
        cases[(label, "changelist")] = Case(
            spec, _admin_changelist_url(app_label, model_name), label="changelist"
        )
        cases[(label, "change")] = Case(
            spec,
            _admin_change_url(app_label, model_name, label),
            label="change",
            secret=secret,
            seen_by=seen_by,
        )
    return cases


def _admin_record(s, label):
    if label in ADMIN_RECORD:
        return ADMIN_RECORD[label](s)
    record = apps.get_model(label).objects.order_by("pk").first()
    assert record is not None, f"the scenario has no {label}"
    return record


# --- enumeration ---------------------------------------------------------------------


def schema_operations() -> set[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    methods = {"get", "post", "put", "patch", "delete"}
    return {(path, m) for path, item in schema["paths"].items() for m in item if m in methods}


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name


def page_routes() -> set[str]:
    """Every route of the site but the API's operations (the schema's) and the
    generic pages of each admin register (``admin_cases``)."""
    registers = {
        f"{opts.app_label}_{opts.model_name}": f"admin/{opts.app_label}/{opts.model_name}/"
        for opts in (model._meta for model in admin.site._registry)
    }
    routes = set()
    for route, name in _walk(get_resolver().url_patterns):
        if route.startswith("api/v1/"):
            continue
        register = next((r for r in registers.values() if route.startswith(r)), None)
        if register is not None:
            prefix = next(k for k, v in registers.items() if v == register)
            generic = name is None or name.removeprefix(prefix + "_") in GENERIC_ADMIN_ROUTES
            if generic:
                continue
        routes.add(_normalise(route))
    return routes


def _normalise(route: str) -> str:
    # The admin's app-list pattern names every installed app: keep it stable.
    return re.sub(r"\(\?P<app_label>[^)]*\)", "(?P<app_label>{apps})", route)


def test_schema_operations_match_the_table():
    operations = schema_operations()
    assert len(operations) >= 50
    missing = sorted(operations - set(API))
    stale = sorted(set(API) - operations)
    assert not missing, f"API operations with no expected answers: {missing}"
    assert not stale, f"table entries that are no longer API operations: {stale}"


def test_page_routes_match_the_table():
    routes = page_routes()
    in_table = {route for route, _method in PAGES}
    assert not sorted(routes - in_table), f"pages with no expected answers: {routes - in_table}"
    assert not sorted(in_table - routes), (
        f"table entries that are no longer pages: {in_table - routes}"
    )


def test_every_admin_register_is_in_the_table():
    registered = {model._meta.label for model in admin.site._registry}
    assert registered == set(ADMIN_REGISTERS)


# --- the cases -----------------------------------------------------------------------


def _ids(table):
    for (route, method), cases in table.items():
        for case in cases:
            name = f"{method.upper()} {route}" + (f" [{case.label}]" if case.label else "")
            for role in ROLES:
                yield pytest.param(case, role, id=f"{name} as {role}")


def _answer_matches(response, answer: str) -> bool:
    location = response.get("Location", "")
    if answer == "login":
        return response.status_code == 302 and location.startswith("/accounts/login/")
    if answer == "admin-login":
        return response.status_code == 302 and location.startswith("/admin/login/")
    if answer == "dashboard":
        return response.status_code == 302 and location == "/admin/dashboard/"
    return response.status_code == int(answer)


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        # Reading it to the end closes it, as the test client does: an explicit
        # close() would fire request_finished and close the database connection.
        return b"".join(response.streaming_content)
    return response.content


def _check(s, case: Case, role: str, response):
    answer = expect(case.expect)[role]
    body = _body(response)
    assert response.status_code < 500, body[:500]
    assert _answer_matches(response, answer), (
        f"expected {answer}, got {response.status_code} "
        f"{response.get('Location', '')} {body[:300]!r}"
    )
    if case.secret is not None and response.status_code == 200:
        shown = case.secret(s, response) if callable(case.secret) else case.secret.encode() in body
        expected = role in roles_in(case.seen_by)
        assert shown == expected, f"{role} {'sees' if shown else 'does not see'} {case.secret!r}"
    if case.effect is not None:
        done = case.effect(s)
        assert done == (role in roles_in(case.effect_by)), f"{role}: written={done}"


@pytest.mark.parametrize(("case", "role"), list(_ids(API)))
def test_api(scenario, case, role):
    client = APIClient()
    user = _user(role)
    if user is not None:
        client.force_authenticate(user=user)
    url = case.url(scenario)
    method = next(m for (path, m), cases in API.items() if case in cases)
    if method == "get":
        response = client.get(url)
    else:
        data = case.data(scenario) if case.data else {}
        fmt = "multipart" if case.multipart else "json"
        response = getattr(client, method)(url, data, format=fmt)
    _check(scenario, case, role, response)


@pytest.mark.parametrize(("case", "role"), list(_ids(PAGES)))
def test_page(scenario, client, case, role):
    _sign_in(client, scenario, role)
    url = case.url(scenario)
    method = next(m for (route, m), cases in PAGES.items() if case in cases)
    if method == "get":
        response = client.get(url)
    else:
        response = client.post(url, case.data(scenario) if case.data else {})
    _check(scenario, case, role, response)


@pytest.mark.parametrize(
    ("case", "role"),
    [
        pytest.param(case, role, id=f"{label} {page} as {role}")
        for (label, page), case in admin_cases().items()
        for role in ROLES
    ],
)
def test_admin_register(scenario, client, case, role):
    _sign_in(client, scenario, role)
    _check(scenario, case, role, client.get(case.url(scenario)))
