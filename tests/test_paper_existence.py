"""Existence of papers (issue 13 item 18): a paper a user may not see answers
exactly as a paper that does not exist — 404, on the API and on the page —
so nobody learns that a draft exists; an anonymous client asking for a
paper that is not public is asked to sign in (401 on the API, the sign-in
page for a page), whether or not the paper exists."""

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from measures.models import Paper
from secretariat.services import initiative_circulate

pytestmark = pytest.mark.django_db

NO_SUCH_PAPER = 999_999


def _api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _page(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _same_as_missing(answer, missing, paper_id):
    """The answer for the paper is the answer for a paper that is not there."""
    assert answer.status_code == missing.status_code
    body = re.sub(rf"\b{paper_id}\b", str(NO_SUCH_PAPER), answer.content.decode())
    assert body == missing.content.decode()


@pytest.fixture
def draft_paper(drafting) -> Paper:
    return drafting.papers.get()


@pytest.fixture
def members_paper(people, drafting, deadline) -> Paper:
    """The draft, circulated to member states only."""
    initiative_circulate(
        actor=people.secretariat, initiative=drafting, deadline=deadline, audience="members"
    )
    return drafting.papers.get()


@pytest.mark.parametrize("username", ["delegate-kaz", "delegate-usa"])
@pytest.mark.parametrize("url", ["/api/v1/papers/{id}/file/", "/api/v1/papers/{id}/"])
def test_item18_a_draft_paper_is_not_found_for_those_who_may_not_see_it(
    people, draft_paper, username, url
):
    """issue 13 item 18: a draft another state may not see answers 404 (API)."""
    client = _api(people[username])
    answer = client.get(url.format(id=draft_paper.pk))
    missing = client.get(url.format(id=NO_SUCH_PAPER))
    assert answer.status_code == 404, answer.content
    assert answer.json()["code"] == "not_found"
    _same_as_missing(answer, missing, draft_paper.pk)
    assert draft_paper.file.name.encode() not in answer.content


def test_item18_a_members_paper_is_not_found_for_an_observer(people, members_paper):
    """issue 13 item 18: a paper circulated to members only is 404 for an observer."""
    client = _api(people["delegate-usa"])
    answer = client.get(f"/api/v1/papers/{members_paper.pk}/file/")
    missing = client.get(f"/api/v1/papers/{NO_SUCH_PAPER}/file/")
    assert answer.status_code == 404
    _same_as_missing(answer, missing, members_paper.pk)
    member = _api(people["delegate-kaz"]).get(f"/api/v1/papers/{members_paper.pk}/file/")
    assert member.status_code == 200
    assert member["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("which", ["draft", "members", "missing"])
def test_item18_anonymous_downloads_answer_401(people, drafting, deadline, which):
    """issue 13 item 18: anonymous downloads of a non-public paper answer 401."""
    paper = drafting.papers.get()
    if which == "members":
        initiative_circulate(
            actor=people.secretariat, initiative=drafting, deadline=deadline, audience="members"
        )
    paper_id = NO_SUCH_PAPER if which == "missing" else paper.pk
    answer = _api().get(f"/api/v1/papers/{paper_id}/file/")
    assert answer.status_code == 401, answer.content
    assert answer["WWW-Authenticate"].startswith("Token")
    assert answer.json()["code"] == "not_authenticated"
    missing = _api().get(f"/api/v1/papers/{NO_SUCH_PAPER}/file/")
    _same_as_missing(answer, missing, paper_id)


def test_item18_the_paper_page_hides_a_draft_too(people, draft_paper):
    """issue 13 item 18: /papers/{id}/ is 404 for a delegate who may not see the
    draft (as for no paper), and the sign-in page for anonymous visitors."""
    delegate = _page(people["delegate-kaz"])
    answer = delegate.get(f"/papers/{draft_paper.pk}/")
    missing = delegate.get(f"/papers/{NO_SUCH_PAPER}/")
    assert answer.status_code == missing.status_code == 404
    assert f"No paper with id {draft_paper.pk}.".encode() in answer.content
    assert draft_paper.symbol.encode() not in answer.content
    anonymous = _page().get(f"/papers/{draft_paper.pk}/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
    coordinator = _page(people["delegate-mng"]).get(f"/papers/{draft_paper.pk}/")
    assert coordinator.status_code == 200
