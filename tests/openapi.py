"""Response validation against the project's own OpenAPI schema (issue 15,
must show "every response validated").

The schema is generated from the code as ``/api/schema/`` serves it, and
each answer of the Django test client is checked with ``openapi-core``: the
operation is found by the path template and method, the status must be
documented for it, and the body and the documented headers must match what
the schema says for that status (``application/json`` bodies by their JSON
schema; a 304 has no body). Nothing here knows an answer's shape: when the
schema changes (the error body, an enum), the checks follow it.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from openapi_core import Config, OpenAPI
from openapi_core.exceptions import OpenAPIError
from openapi_core.testing import MockRequest, MockResponse

METHODS = ("get", "post", "put", "patch", "delete")


@functools.cache
def api_schema() -> dict[str, Any]:
    """The schema as served (rendered to JSON and read back: lazy texts
    become strings, as a client sees them)."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


@functools.cache
def _spec() -> OpenAPI:
    # openapi-core reads ``application/json`` but not other ``+json`` types:
    # the errors are ``application/problem+json`` (RFC 9457).
    config = Config(extra_media_type_deserializers={"application/problem+json": json.loads})
    return OpenAPI.from_dict(api_schema(), config=config)


def operations() -> dict[str, tuple[str, str, dict[str, Any]]]:
    """operationId -> (path template, method, operation)."""
    return {
        operation["operationId"]: (path, method, operation)
        for path, item in api_schema()["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        # Read to the end and kept, so the caller can still look at it.
        content = b"".join(response.streaming_content)
        response.streaming_content = [content]
        return content
    return response.content


def assert_conforms(response, *, path: str, method: str) -> None:
    """Raises (with openapi-core's reasons) unless ``response``, an answer of
    the test client to ``method path``, is one the schema documents."""
    request = response.wsgi_request
    mock_request = MockRequest(
        "http://testserver",
        method,
        request.path,
        path_pattern=path,
        args=request.GET,
        headers={k: v for k, v in request.headers.items()},
    )
    mock_response = MockResponse(
        body_of(response),
        status_code=response.status_code,
        headers=dict(response.items()),
        content_type=response.get("Content-Type", ""),
    )
    try:
        _spec().validate_response(mock_request, mock_response)
    except OpenAPIError as exc:
        raise AssertionError(
            f"{method.upper()} {request.get_full_path()} answered {response.status_code}, "
            f"not as the schema says: {_reasons(exc)}"
        ) from exc


def assert_raw_conforms(
    *, path: str, method: str, url_path: str, status: int, headers: dict, body: bytes
) -> None:
    """As :func:`assert_conforms`, for an answer read off a real server
    (status, headers and body), e.g. a 503 while the database is cut."""
    mock_request = MockRequest("http://testserver", method, url_path, path_pattern=path)
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    mock_response = MockResponse(
        body, status_code=status, headers=dict(headers), content_type=content_type
    )
    try:
        _spec().validate_response(mock_request, mock_response)
    except OpenAPIError as exc:
        raise AssertionError(
            f"{method.upper()} {url_path} answered {status}, not as the schema says: "
            f"{_reasons(exc)}"
        ) from exc


def _reasons(exc: BaseException) -> str:
    """openapi-core's error, down to the JSON-schema messages (where in the
    body, and what is wrong), instead of the whole body repeated."""
    found = []
    while exc is not None:
        for error in getattr(exc, "schema_errors", None) or ():
            where = "/".join(str(p) for p in error.absolute_path)
            found.append(f"at /{where}: {error.message[:300]}")
        if found:
            break
        found_here = f"{type(exc).__name__}: {str(exc)[:300]}"
        if exc.__cause__ is None:
            found.append(found_here)
        exc = exc.__cause__  # type: ignore[assignment]
    return "; ".join(found)
