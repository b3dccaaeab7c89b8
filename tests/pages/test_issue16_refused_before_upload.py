"""Issue 16 item 5 (c): a form a role may not use is not shown, and a POST
to it is refused (403 with the reason) before its multipart body is read:
nothing of the upload is read or stored. Real multipart requests through the
whole stack, with a body that counts what the application read."""

from html import unescape

import pytest
from django.urls import reverse

from measures.models import Measure, Paper
from secretariat.models import InformationSubmission
from tests.conftest import DEMO_PASSWORD
from tests.test_upload_limit import CountingBody, post_body

pytestmark = pytest.mark.django_db

MiB = 1024 * 1024
INFORMATION = {
    "title": "Border crossings",
    "text": "Measures.",
    "kind": "measures_taken",
    "language": "en",
    "visibility": "members",
}


def _signed_in(client, username):
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


@pytest.mark.parametrize("size", [200 * MiB, 64 * 1024])
def test_an_observer_submitting_information_is_refused_before_the_body_is_read(
    client, people, size
):
    _signed_in(client, "delegate-usa")
    body = CountingBody(size, fields=INFORMATION, field_name="attachment")
    page = post_body(client, "/information/new/", body)
    assert page.status_code == 403, page.content[:500]
    assert "Only a member state's delegate submits information" in unescape(page.content.decode())
    assert body.read_bytes == 0
    assert not InformationSubmission.objects.exists()


@pytest.mark.parametrize("username", ["delegate-kaz", "delegate-usa", "chair"])
def test_a_paper_from_a_state_that_does_not_coordinate_is_refused_unread(
    client, people, drafting, username
):
    """Mongolia coordinates HUM-5: Kazakhstan, an observer and the Chair's
    office may not submit its paper; a 200 MiB body is not read."""
    _signed_in(client, username)
    before = Paper.objects.count()
    body = CountingBody(200 * MiB, fields={"language": "en"})
    url = reverse("initiative-act", args=[drafting.pk, "submit_paper"])
    page = post_body(client, url, body)
    assert page.status_code == 403, page.content[:500]
    assert "Not allowed" in page.content.decode()
    assert body.read_bytes == 0
    assert Paper.objects.count() == before


def test_anonymous_uploads_are_sent_to_sign_in_unread(client, people, drafting):
    body = CountingBody(200 * MiB, fields={"language": "en"})
    url = reverse("initiative-act", args=[drafting.pk, "submit_paper"])
    page = post_body(client, url, body)
    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/login/")
    assert body.read_bytes == 0


def test_the_coordinator_still_submits_and_an_oversized_file_still_gets_413(
    client, people, drafting, settings
):
    _signed_in(client, "delegate-mng")
    url = reverse("initiative-act", args=[drafting.pk, "submit_paper"])
    before = Paper.objects.count()
    body = CountingBody(200 * MiB, fields={"language": "en"})
    assert post_body(client, url, body).status_code == 413
    assert body.read_bytes == 0
    body = CountingBody(4096, fields={"language": "en"})
    page = post_body(client, url, body)
    assert page.status_code == 302, page.content[:500]
    assert body.read_bytes == body.total
    assert Paper.objects.count() == before + 1


def test_a_member_still_submits_information(client, people):
    _signed_in(client, "delegate-kaz")
    fields = {**INFORMATION, "measures": Measure.objects.get(code="ECO-1").pk}
    body = CountingBody(4096, fields=fields, field_name="attachment")
    page = post_body(client, "/information/new/", body)
    assert page.status_code == 302, page.content.decode()[:2000]
    assert InformationSubmission.objects.filter(title="Border crossings").exists()


@pytest.mark.parametrize(
    ("username", "url", "reason"),
    [
        ("delegate-usa", "/information/new/", "Only a member state's delegate"),
        ("chair", "/information/new/", "Only a member state's delegate"),
        ("delegate-kaz", "submit_paper", "Not allowed"),
        ("delegate-usa", "withdraw", "Not allowed"),
    ],
)
def test_the_form_is_not_shown_to_a_role_that_may_not_use_it(
    client, people, drafting, username, url, reason
):
    _signed_in(client, username)
    if not url.startswith("/"):
        url = reverse("initiative-act", args=[drafting.pk, url])
    page = client.get(url)
    assert page.status_code == 403
    html = unescape(page.content.decode())
    assert reason in html
    assert 'type="file"' not in html
    assert "<textarea" not in html


def test_the_initiative_page_offers_no_form_to_a_role_that_may_not_use_it(client, people, drafting):
    _signed_in(client, "delegate-usa")
    html = client.get(reverse("initiative", args=[drafting.pk])).content.decode()
    assert "/submit_paper/" not in html
    assert "/withdraw/" not in html


def test_the_information_list_offers_no_submission_to_an_observer(client, people):
    _signed_in(client, "delegate-usa")
    html = client.get("/information/").content.decode()
    assert 'href="/information/new/"' not in html
