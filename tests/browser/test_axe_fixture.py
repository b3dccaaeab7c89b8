"""The vendored axe-core finds what it should: the fixture is not a test that cannot fail."""

import pytest

pytestmark = [pytest.mark.django_db(transaction=True)]

ADD_IMAGE_WITHOUT_ALT = (
    "document.body.appendChild(Object.assign(document.createElement('img'), {src: '/x.png'}))"
)


def test_axe_fails_on_image_without_alt(page, axe, live_server):
    page.goto("/catalogue/")
    page.evaluate(ADD_IMAGE_WITHOUT_ALT)
    with pytest.raises(AssertionError, match="image-alt"):
        axe(page)
