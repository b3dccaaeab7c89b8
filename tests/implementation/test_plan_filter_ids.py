"""The plans' ``?initiative=`` filter is an id like every other: a whole
number from 1 to 2^63-1, or a 400 naming it. The API fuzzer sent
``-1.7976931348623157e+308``: a NumberFilter took it for a number, SQLite
could not hold it and the list answered 500."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "value",
    ["-1.7976931348623157e+308", "1e400", "9223372036854775808", "0", "-3", "1.5", "two"],
)
def test_a_bad_initiative_id_is_a_400_naming_it(api, value):
    response = api.get("/api/v1/action-plans/", {"initiative": value, "page": 8192})
    assert response.status_code == 400, response.content
    assert b'"initiative"' in response.content


def test_a_good_initiative_id_filters(api):
    response = api.get("/api/v1/action-plans/", {"initiative": 9223372036854775807})
    assert response.status_code == 200
    assert response.json()["results"] == []
