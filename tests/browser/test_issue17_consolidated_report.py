"""Issue 17, must show (browser): the secretariat opens the participation
table, follows it to the consolidated report and downloads the PDF, which
opens and holds the cycle's symbol; the same in Russian."""

import io
from pathlib import Path

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.conftest import DEMO_PASSWORD
from tests.implementation.test_v5_consolidated import (
    MEMBERS_REPORT,
    PUBLIC_ACTIVITY,
    SECRET_REPORT,
    build_cycle,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("language", "org"), [("en", "CICA"), ("ru", "СВМДА")])
def test_the_secretariat_downloads_the_consolidated_report(
    page, axe, shoot, live_server, people, language, org
):
    build_cycle(people)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url + "/"}]
    )
    page.goto("/accounts/login/")
    page.fill("#id_username", "secretariat")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main [type=submit]")

    # The participation table first (issue 17 item 4), then its link to the report.
    page.goto(reverse("participation", kwargs={"year": 2027}))
    assert page.locator("table").count() >= 1
    shoot(page, f"issue17-participation-{language}")
    page.click(f"a[href^='{reverse('consolidated-report', kwargs={'year': 2027})}']")
    page.wait_for_url("**/reporting/2027/report/**")

    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("#report-symbol").inner_text() == "CICA/IMPL/2027"
    assert org in page.locator(".report-running").text_content()
    assert MEMBERS_REPORT in page.content()
    axe(page)
    shoot(page, f"issue17-consolidated-report-{language}")
    page.emulate_media(media="print")
    assert not page.locator("header.site").is_visible()
    assert page.locator(".report-running").is_visible()
    shoot(page, f"issue17-consolidated-report-print-{language}")
    page.emulate_media(media="screen")

    with page.expect_download() as info:
        page.click("#report-pdf")
    download = info.value
    assert download.suggested_filename == f"CICA-IMPL-2027-{language}.pdf"
    pdf = Path(download.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    first = " ".join(reader.pages[0].extract_text().split())
    assert "CICA/IMPL/2027" in first
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert SECRET_REPORT in text  # the secretariat reads everything
    if language == "ru":
        assert f"{PUBLIC_ACTIVITY} (ru)" in text
