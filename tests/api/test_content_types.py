"""One content type per operation body (issue 15 item 1): JSON for every
operation with a body, multipart only for an upload. A body in another type
is a 415 in the error shape, never a 500 nor a silently dropped field."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.files import pdf

# The operations that take a file: multipart only.
UPLOADS = {
    ("/api/v1/initiatives/{id}/submit-paper/", "post"),
    ("/api/v1/information/", "post"),
    ("/api/v1/activities/{id}/documents/", "post"),  # issue 17 v2
    ("/api/v1/returns/{id}/attachments/", "post"),  # issue 17 v3
}


def _operations_with_bodies():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if "requestBody" in operation:
                yield path, method, operation["requestBody"]["content"]


def test_every_body_is_offered_in_exactly_one_content_type():
    seen = {}
    for path, method, content in _operations_with_bodies():
        seen[(path, method)] = list(content)
    assert seen, "no operation with a body"
    for key, types in seen.items():
        expected = ["multipart/form-data"] if key in UPLOADS else ["application/json"]
        assert types == expected, key
    assert set(seen) >= UPLOADS


@pytest.mark.django_db
def test_a_form_post_to_a_json_endpoint_is_a_415_in_the_error_shape(as_user, drafting):
    mng = as_user("delegate-mng")
    url = f"/api/v1/initiatives/{drafting.pk}/withdraw/"
    for body, content_type in [
        ("reason=changed+our+mind", "application/x-www-form-urlencoded"),
        (
            "--b\r\nContent-Disposition: form-data; name=reason\r\n\r\nx\r\n--b--\r\n",
            "multipart/form-data; boundary=b",
        ),
    ]:
        answer = mng.generic("POST", url, body, content_type=content_type)
        assert answer.status_code == 415, answer.content
        assert answer["Content-Type"].startswith("application/")
        data = answer.json()
        assert data["code"] == "unsupported_media_type"
        assert content_type.split(";")[0] in data["detail"]
    drafting.refresh_from_db()
    assert drafting.status == "drafting"


@pytest.mark.django_db
def test_a_sign_in_with_a_form_is_a_415(api, people):
    answer = api.post(
        "/api/v1/auth/token/",
        "username=secretariat&password=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 415
    assert answer.json()["code"] == "unsupported_media_type"


@pytest.mark.django_db
def test_an_upload_takes_multipart_and_refuses_json(as_user, drafting):
    mng = as_user("delegate-mng")
    url = f"/api/v1/initiatives/{drafting.pk}/submit-paper/"
    refused = mng.post(url, {"language": "en", "file": "JVBERi0="}, format="json")
    assert refused.status_code == 415
    assert refused.json()["code"] == "unsupported_media_type"
    before = drafting.papers.count()
    accepted = mng.post(url, {"file": pdf(body=b"v2"), "language": "en"}, format="multipart")
    assert accepted.status_code == 200, accepted.content
    assert drafting.papers.count() == before + 1
