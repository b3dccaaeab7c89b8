"""Reading the API's error answers in tests (issue 15 item 3)."""


def error_fields(response) -> set[str | None]:
    """The fields a problem names in ``errors`` (dotted paths; None for the
    input as a whole)."""
    assert response["Content-Type"] == "application/problem+json", response["Content-Type"]
    return {error["field"] for error in response.json()["errors"]}
