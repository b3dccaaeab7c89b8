"""Paper uploads: type by content, size limit, versions, nothing stored on refusal
(issue 3, must show 5)."""

import pytest
from django.conf import settings as live
from django.utils import timezone

from cica.errors import DomainError
from measures import services, signals
from measures.models import CoordinatorDesignation, Initiative, Measure, Paper
from members.models import Participant
from tests import files
from tests.problems import error_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def drafting(people):
    initiative = Initiative.objects.create(
        measure=Measure.objects.get(code="ENV-1"), status="drafting"
    )
    CoordinatorDesignation.objects.create(
        initiative=initiative,
        participant=Participant.objects.get(code="MNG"),
        role="coordinator",
        started_on=timezone.localdate(),
    )
    return initiative


def stored(settings):
    root = settings.MEDIA_ROOT
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize("make", [files.pdf, files.docx, files.odt], ids=["pdf", "docx", "odt"])
def test_pdf_docx_and_odt_are_accepted(people, drafting, make, settings):
    services.initiative_submit_paper(
        actor=people["delegate-mng"], initiative=drafting, file=make(), language="fr"
    )
    paper = Paper.objects.get(initiative=drafting)
    assert paper.symbol == "CICA/CP/ENV-1/1"
    assert paper.submitted_for is not None
    assert paper.submitted_for.code == "MNG"
    assert paper.file.name is not None
    assert paper.file.name.startswith("papers/")
    assert len(stored(settings)) == 1
    assert paper.original_name == make().name
    assert len(paper.sha256) == 64


@pytest.mark.parametrize(
    "upload",
    [files.not_a_paper(), files.not_a_paper("paper.docx")],
    ids=["exe-named-pdf", "exe-named-docx"],
)
def test_a_file_that_is_not_a_paper_by_content_is_refused(people, drafting, upload, settings):
    with pytest.raises(DomainError, match="not a PDF, DOCX or ODT"):
        services.initiative_submit_paper(
            actor=people["delegate-mng"], initiative=drafting, file=upload, language="en"
        )
    assert not Paper.objects.exists()
    assert stored(settings) == []
    assert not drafting.events.exists()


def test_a_file_over_the_limit_is_refused(people, drafting, settings):
    settings.CICA_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(DomainError, match="limit is 1.0"):
        services.initiative_submit_paper(
            actor=people["delegate-mng"],
            initiative=drafting,
            file=files.pdf(body=b"x" * 2000),
            language="en",
        )
    assert not Paper.objects.exists()
    assert stored(settings) == []


def test_refusals_reach_the_api_with_a_message(as_user, drafting, settings):
    client = as_user("delegate-mng")
    url = f"/api/v1/initiatives/{drafting.pk}/submit-paper/"
    response = client.post(url, {"file": files.not_a_paper(), "language": "en"}, format="multipart")
    assert response.status_code == 400
    assert "not a PDF" in response.json()["detail"]
    settings.CICA_MAX_UPLOAD_BYTES = 100
    response = client.post(url, {"file": files.pdf(), "language": "en"}, format="multipart")
    # Over the limit: 413, refused while the body arrives (issue 13 item 15).
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]
    settings.CICA_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    response = client.post(url, {"language": "en"}, format="multipart")
    assert response.status_code == 400
    assert "file" in error_fields(response)
    response = client.post(url, {"file": files.pdf(), "language": "de"}, format="multipart")
    assert response.status_code == 400
    assert "language" in error_fields(response)
    assert not Paper.objects.exists()
    assert stored(settings) == []


def test_a_revision_is_a_new_version_and_the_old_one_is_kept(people, drafting):
    for _ in range(3):
        services.initiative_submit_paper(
            actor=people["delegate-mng"], initiative=drafting, file=files.pdf(), language="en"
        )
    assert list(drafting.papers.values_list("symbol", flat=True)) == [
        "CICA/CP/ENV-1/1",
        "CICA/CP/ENV-1/2",
        "CICA/CP/ENV-1/3",
    ]


def test_drafts_are_downloadable_only_by_those_allowed(as_user, people, drafting):
    services.initiative_submit_paper(
        actor=people["delegate-mng"], initiative=drafting, file=files.pdf(), language="en"
    )
    url = f"/api/v1/papers/{Paper.objects.get().pk}/file/"
    for username, code in [
        ("delegate-mng", 200),
        ("secretariat", 200),
        ("chair", 200),
        ("delegate-chn", 404),  # as if there were no draft (issue 13 item 18)
        ("delegate-usa", 404),
        ("", 401),
    ]:
        response = as_user(username).get(url)
        assert response.status_code == code, username
        if code == 200:
            assert response["Content-Disposition"].startswith("attachment")
            assert response["X-Content-Type-Options"] == "nosniff"
    assert as_user("").get("/api/v1/papers/999999/file/").status_code == 401
    assert as_user("delegate-chn").get("/api/v1/papers/999999/file/").status_code == 404
    detail = as_user("delegate-chn").get(f"/api/v1/initiatives/{drafting.pk}/").json()
    assert detail["papers"] == []


def test_a_file_missing_from_storage_is_a_clear_404(as_user, people, drafting, client):
    services.initiative_submit_paper(
        actor=people["delegate-mng"], initiative=drafting, file=files.pdf(), language="en"
    )
    paper = Paper.objects.get()
    assert paper.file.name is not None
    paper.file.storage.delete(paper.file.name)
    response = as_user("secretariat").get(f"/api/v1/papers/{paper.pk}/file/")
    assert response.status_code == 404
    assert "missing from storage" in response.json()["detail"]
    client.login(username="secretariat", password="demo-pass-4-cica")
    page = client.get(f"/papers/{paper.pk}/")
    assert page.status_code == 404
    assert "missing from storage" in page.content.decode()


def test_uploads_are_stored_under_generated_names_outside_static_and_never_served_raw(
    people, drafting, settings, client
):
    upload = files.pdf()
    upload.name = "<script>alert(1)</script>.html.pdf"
    services.initiative_submit_paper(
        actor=people["delegate-mng"], initiative=drafting, file=upload, language="en"
    )
    paper = Paper.objects.get()
    assert paper.file.name is not None
    assert "script" not in paper.file.name
    assert "alert" not in paper.file.name
    path = settings.MEDIA_ROOT / paper.file.name
    assert path.is_file()
    assert live.STATIC_ROOT not in path.parents
    assert all(static not in path.parents for static in live.STATICFILES_DIRS)
    # No URL serves the media folder itself: only the permission-checked views.
    assert client.get(f"/media/{paper.file.name}").status_code == 404
    assert client.get(f"/static/{paper.file.name}").status_code == 404


@pytest.mark.parametrize("header", ["X-Accel-Redirect", "X-Sendfile"])
def test_downloads_can_be_handed_to_the_web_server_after_the_check(
    as_user, people, drafting, settings, header
):
    settings.CICA_SENDFILE_HEADER = header
    services.initiative_submit_paper(
        actor=people["delegate-mng"], initiative=drafting, file=files.pdf(), language="en"
    )
    paper = Paper.objects.get()
    url = f"/api/v1/papers/{paper.pk}/file/"
    assert as_user("delegate-chn").get(url).status_code == 404  # the check still runs
    response = as_user("delegate-mng").get(url)
    assert response.status_code == 200
    assert response.content == b""
    expected = (
        str(paper.file.path)
        if header == "X-Sendfile"
        else settings.CICA_SENDFILE_PREFIX + paper.file.name
    )
    assert response[header] == expected
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_paper_whose_notice_fails_leaves_no_file(people, drafting, settings):
    """issue 14 item 9: the paper is stored, then its notice (the secretariat's
    receiver of ``paper_submitted``) fails: the transaction rolls back and the
    stored file is removed with it (``cica.uploads.removed_on_failure``)."""

    def broken(sender, **kwargs):
        raise RuntimeError("notice failed")

    signals.paper_submitted.connect(broken, dispatch_uid="test.broken_notice")
    try:
        with pytest.raises(RuntimeError, match="notice failed"):
            services.initiative_submit_paper(
                actor=people["delegate-mng"], initiative=drafting, file=files.pdf(), language="en"
            )
    finally:
        signals.paper_submitted.disconnect(dispatch_uid="test.broken_notice")
    assert not Paper.objects.exists()
    assert stored(settings) == []
    assert not drafting.events.exists()
