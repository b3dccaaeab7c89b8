"""Issue 13 item 15: an upload over the limit is refused before its body is
read (by Content-Length), and one whose Content-Length passes is not read past
the limit (an upload handler). The requests below go through the whole WSGI
stack with a body stream that counts what the application read."""

import socket

import pytest
from rest_framework.test import APIClient

from measures.models import Paper
from members.services import api_token_issue
from secretariat.models import InformationSubmission

MiB = 1024 * 1024
BOUNDARY = "cica-item15-boundary"


class CountingBody:
    """A multipart body of ``size`` file bytes, made up as it is read (200 MiB
    cost no memory), counting how many bytes the application read."""

    def __init__(self, size: int, *, fields: dict | None = None, field_name="file"):
        head = b""
        for name, value in (fields or {}).items():
            head += (
                f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                f"{value}\r\n"
            ).encode()
        head += (
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field_name}\"; "
            f"filename=\"big.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
        ).encode() + b"%PDF-1.4\n"
        self.head = head
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.filler = size - len(b"%PDF-1.4\n")
        self.total = len(head) + self.filler + len(self.tail)
        self.position = 0

    def _byte_range(self, start: int, end: int) -> bytes:
        out = bytearray()
        head_end = len(self.head)
        filler_end = head_end + self.filler
        if start < head_end:
            out += self.head[start : min(end, head_end)]
        if end > head_end and start < filler_end:
            out += b"x" * (min(end, filler_end) - max(start, head_end))
        if end > filler_end:
            out += self.tail[max(0, start - filler_end) : end - filler_end]
        return bytes(out)

    def read(self, size=-1):
        if size is None or size < 0:
            size = self.total - self.position
        end = min(self.total, self.position + size)
        data = self._byte_range(self.position, end)
        self.position = end
        return data

    def readline(self, size=-1):
        # Django's parser reads in chunks; a line-reader reads what is left.
        return self.read(size)

    @property
    def read_bytes(self) -> int:
        return self.position


def detail(answer) -> str:
    """The message, with filesizeformat's non-breaking spaces as spaces."""
    return answer.json()["detail"].replace("\xa0", " ")


def post_body(client, url, body, *, content_length=None):
    content_type = f"multipart/form-data; boundary={BOUNDARY}"
    return client.generic(
        "POST",
        url,
        content_type=content_type,
        **{
            "wsgi.input": body,
            "CONTENT_LENGTH": str(content_length or body.total),
            "CONTENT_TYPE": content_type,
        },
    )


@pytest.fixture
def mng(people):
    client = APIClient()
    client.force_authenticate(people["delegate-mng"])
    return client


def test_item15_an_upload_over_the_limit_is_refused_before_its_body_is_read(
    mng, drafting, settings
):
    """issue 13 item 15: a 200 MiB paper is answered 413 without reading it."""
    before = Paper.objects.count()
    body = CountingBody(200 * MiB, fields={"language": "en"})
    answer = post_body(mng, f"/api/v1/initiatives/{drafting.pk}/submit-paper/", body)
    assert answer.status_code == 413, answer.content[:300]
    assert answer.json()["code"] == "too_large"
    assert detail(answer) == "The file is 200.0 MB; the limit is 10.0 MB."
    assert body.read_bytes == 0
    assert Paper.objects.count() == before


def test_item15_the_message_names_both_sizes(mng, drafting):
    """issue 13 item 15: "The file is 10.4 MB; the limit is 10.0 MB"."""
    body = CountingBody(int(10.4 * MiB), fields={"language": "en"})
    answer = post_body(mng, f"/api/v1/initiatives/{drafting.pk}/submit-paper/", body)
    assert answer.status_code == 413
    assert detail(answer) == "The file is 10.4 MB; the limit is 10.0 MB."
    assert body.read_bytes == 0


def test_item15_a_body_within_the_request_limit_is_not_read_past_the_file_limit(
    mng, drafting, settings
):
    """issue 13 item 15: when Content-Length does not give it away (a larger
    request limit, several files), reading stops at the file limit."""
    settings.CICA_MAX_UPLOAD_BYTES = 1 * MiB
    settings.CICA_MAX_REQUEST_BYTES = 100 * MiB
    before = Paper.objects.count()
    body = CountingBody(20 * MiB, fields={"language": "en"})
    answer = post_body(mng, f"/api/v1/initiatives/{drafting.pk}/submit-paper/", body)
    assert answer.status_code == 413, answer.content[:300]
    assert answer.json()["code"] == "too_large"
    assert detail(answer) == "The file is larger than the limit of 1.0 MB."
    assert body.read_bytes < 2 * MiB, body.read_bytes
    assert Paper.objects.count() == before


def test_item15_a_file_within_the_limit_still_goes_through(mng, drafting, settings):
    """issue 13 item 15: the limit refuses only what is over it."""
    settings.CICA_MAX_UPLOAD_BYTES = 1 * MiB
    before = Paper.objects.count()
    body = CountingBody(MiB - 4096, fields={"language": "en"})
    answer = post_body(mng, f"/api/v1/initiatives/{drafting.pk}/submit-paper/", body)
    assert answer.status_code == 200, answer.content[:300]
    assert body.read_bytes == body.total
    assert Paper.objects.count() == before + 1


def test_item15_pages_refuse_with_a_page(client, people, settings):
    """issue 13 item 15: outside /api/ the refusal is a page with the message."""
    settings.CICA_MAX_UPLOAD_BYTES = 1 * MiB
    client.force_login(people["delegate-kaz"])
    fields = {
        "title": "Border crossings",
        "text": "Measures.",
        "kind": "measures_taken",
        "language": "en",
        "visibility": "members",
    }
    for size, extra in [(30 * MiB, {}), (20 * MiB, {"CICA_MAX_REQUEST_BYTES": 100 * MiB})]:
        for name, value in extra.items():
            setattr(settings, name, value)
        body = CountingBody(size, fields=fields, field_name="attachment")
        page = post_body(client, "/information/new/", body)
        assert page.status_code == 413
        html = page.content.decode()
        assert "<html" in html.lower()
        assert "the limit" in html
        assert "1.0\xa0MB" in html or "1.0&nbsp;MB" in html or "1.0 MB" in html
        assert body.read_bytes < 2 * MiB
    assert not InformationSubmission.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_item15_a_live_server_answers_before_the_body_is_sent(live_server, people, settings):
    """issue 13 item 15: over plain HTTP, the 413 arrives while the client has
    sent only the headers of a 200 MiB upload."""
    _token, secret = api_token_issue(user=people["delegate-mng"])
    host, port = live_server.url.removeprefix("http://").split(":")
    request = (
        "POST /api/v1/information/ HTTP/1.1\r\n"
        f"Host: {host}\r\n"
        f"Authorization: Token {secret}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {200 * MiB}\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=20) as sock:
        sock.sendall(request)  # the headers only: no byte of the body
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    assert b" 413 " in status_line, answer[:500]
    assert b'"code":"too_large"' in rest.replace(b" ", b"")
    assert "200.0\xa0MB" in rest.decode("unicode_escape")


def test_item15_a_huge_json_body_is_not_called_a_file(mng, settings):
    """issue 13 item 15, from outside: a 200 MB JSON body is refused unread, and
    the message speaks of the request body (its limit is the memory limit),
    not of a file."""
    body = CountingBody(200 * MiB)
    answer = mng.generic(
        "POST",
        "/api/v1/initiatives/",
        content_type="application/json",
        **{"wsgi.input": body, "CONTENT_LENGTH": str(body.total)},
    )
    assert answer.status_code == 413, answer.content[:300]
    assert answer.json()["code"] == "too_large"
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / MiB
    assert detail(answer) == f"The request body is 200.0 MB; the limit is {limit:.1f} MB."
    assert body.read_bytes == 0
