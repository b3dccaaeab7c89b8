import pytest

from tests.openapi import assert_conforms


@pytest.fixture
def conforms():
    """``conforms(response, path="/api/v1/...{id}/", method="get")``: the
    answer is one the schema documents, body and headers included."""
    return assert_conforms
