"""Fixtures of the page tests."""

import pytest

from tests.conftest import DEMO_PASSWORD


@pytest.fixture
def signed_in(client):
    def sign_in(username):
        client.logout()
        if username:
            assert client.login(username=username, password=DEMO_PASSWORD)
        return client

    return sign_in
