"""Issue 16 item 3: notifications in their reader's language, linked, cleared
when acted on, and e-mailed at once or in a daily digest."""

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from members.models import Delegate, EmailFrequency, Participant, UserPreference
from members.services import delegate_assign, preference_set
from secretariat import services
from secretariat.models import Body, Circulation, EmailStatus, Notification
from secretariat.services import initiative_circulate
from secretariat.tasks import send_daily_digests
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

DEADLINE = datetime.date(2026, 12, 30)


@pytest.fixture
def fixed_deadline(drafting):
    return DEADLINE


@pytest.fixture(autouse=True)
def _before_the_deadline(time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 6, 9, 0, tzinfo=datetime.UTC), tick=False)


def circulate(people, drafting, *, execute=True, capture=None):
    if capture is None:
        initiative_circulate(actor=people.secretariat, initiative=drafting, deadline=DEADLINE)
    else:
        with capture(execute=execute):
            initiative_circulate(actor=people.secretariat, initiative=drafting, deadline=DEADLINE)
    return Circulation.objects.get(initiative=drafting)


def notice_of(people, username):
    return Notification.objects.get(kind="circulation", recipient=people[username])


# --- the reader's language ----------------------------------------------------------------


def test_the_circulation_notice_is_in_each_readers_language_with_dates_in_words(people, drafting):
    preference_set(user=people["delegate-kaz"], language="ru")
    Delegate.objects.filter(user=people["delegate-ind"]).update(language="fr")  # still honoured
    circulation = circulate(people, drafting)
    russian = notice_of(people, "delegate-kaz")
    assert russian.subject.startswith("Разослано для замечаний")
    assert "30 декабря 2026 г." in russian.subject
    assert "30 декабря 2026 г." in russian.body
    assert "2026-12-30" not in russian.subject + russian.body
    french = notice_of(people, "delegate-ind")
    assert french.subject.startswith("Diffusion pour observations")
    assert "30 décembre 2026" in french.subject
    assert "30 décembre 2026" in french.body
    english = notice_of(people, "delegate-chn")
    assert "Dec. 30, 2026" in english.subject
    assert circulation.reference in russian.subject
    assert russian.params["deadline"] == "2026-12-30"


def test_a_stored_notice_is_written_again_in_the_language_the_reader_chooses_later(
    people, drafting
):
    circulate(people, drafting)
    notice = notice_of(people, "delegate-kaz")
    assert "Dec. 30, 2026" in notice.subject
    subject, body = services.notification_text(notice, language="fr")
    assert subject.startswith("Diffusion pour observations")
    assert "30 décembre 2026" in body
    # A row written before parameters were kept shows its stored text.
    Notification.objects.filter(pk=notice.pk).update(params={}, subject="Old", body="Old text")
    notice.refresh_from_db()
    assert services.notification_text(notice, language="ru") == ("Old", "Old text")


def test_the_email_goes_out_in_the_recipients_language_with_the_address_of_the_page(
    people, drafting, django_capture_on_commit_callbacks, eager_celery, settings
):
    settings.CICA_SITE_URL = "https://cica.example"
    preference_set(user=people["delegate-kaz"], language="ru")
    mail.outbox.clear()
    circulation = circulate(people, drafting, capture=django_capture_on_commit_callbacks)
    to_kaz = [m for m in mail.outbox if m.to == ["delegate-kaz@cica.example"]]
    assert len(to_kaz) == 1
    assert to_kaz[0].subject.startswith("Разослано для замечаний")
    assert "30 декабря 2026 г." in to_kaz[0].subject
    assert f"https://cica.example/circulations/{circulation.pk}/" in to_kaz[0].body
    to_chn = next(m for m in mail.outbox if m.to == ["delegate-chn@cica.example"])
    assert to_chn.subject.startswith("Circulated for comments")


# --- links --------------------------------------------------------------------------------


def test_each_notice_links_to_the_page_of_what_it_is_about(people, drafting, client):
    circulation = circulate(people, drafting)
    notice = notice_of(people, "delegate-kaz")
    assert services.notification_links([notice]) == {
        notice.pk: reverse("circulation", args=[circulation.pk])
    }
    client.force_login(people["delegate-kaz"])
    page = client.get(reverse("notification-list")).content.decode()
    assert f'href="/circulations/{circulation.pk}/"' in page
    # The secretariat's notice of the paper links to the initiative.
    paper_notice = Notification.objects.filter(
        kind="paper_submitted", recipient=people.secretariat
    ).first()
    assert paper_notice is not None
    assert services.notification_links([paper_notice])[paper_notice.pk] == reverse(
        "initiative", args=[drafting.pk]
    )


def test_the_api_gives_the_link_and_the_text_in_the_request_language(people, drafting, as_user):
    circulation = circulate(people, drafting)
    answer = as_user("delegate-kaz").get(
        "/api/v1/notifications/?kind=circulation", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert answer.status_code == 200
    row = answer.json()["results"][0]
    assert row["link"] == f"/circulations/{circulation.pk}/"
    assert "30 décembre 2026" in row["subject"]


# --- mark as read: the row changes ----------------------------------------------------------


def test_marking_one_read_changes_its_row_and_the_count(people, drafting, client):
    circulation = circulate(people, drafting)
    services.circulation_remind_now(actor=people.secretariat, circulation=circulation)
    notice = notice_of(people, "delegate-kaz")
    client.force_login(people["delegate-kaz"])
    answer = client.post(reverse("notifications-read"), {"id": notice.pk}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    html = answer.content.decode()
    row = html[html.index(f'id="notification-{notice.pk}"') :].split("</tr>")[0]
    assert 'class="read"' in html[html.index(f'<tr id="notification-{notice.pk}"') - 1 :][:80]
    assert "Read on" in row
    assert "Mark as read" not in row
    assert 'id="unread-count"' in html
    assert 'hx-swap-oob="true"' in html
    # Without htmx: back to the page, which shows the row read.
    other = Notification.objects.filter(recipient=people["delegate-kaz"], read_at__isnull=True)
    assert other.exists()
    assert client.post(reverse("notifications-read"), {}).status_code == 302
    assert not other.exists()


# --- cleared when acted on ---------------------------------------------------------------------


def test_answering_a_circulation_clears_the_states_notices_about_it(people, drafting):
    deputy = people["delegate-kaz"].__class__.objects.create_user("deputy-kaz", email="d@x.org")
    delegate_assign(user=deputy, participant=Participant.objects.get(code="KAZ"), role="delegate")
    circulation = circulate(people, drafting)
    services.circulation_remind_now(actor=people.secretariat, circulation=circulation)
    kaz = Notification.objects.filter(recipient__in=[people["delegate-kaz"], deputy])
    assert kaz.filter(read_at__isnull=True, kind__in=["circulation", "reminder"]).count() == 4
    chn_unread = Notification.objects.filter(recipient=people["delegate-chn"], read_at__isnull=True)
    before = chn_unread.count()
    services.receipt_answer(
        actor=people["delegate-kaz"], circulation=circulation, position="support"
    )
    assert not kaz.filter(read_at__isnull=True, kind__in=["circulation", "reminder"]).exists()
    assert chn_unread.count() == before  # another state's notices stay


def test_a_rolled_back_answer_clears_nothing(people, drafting):
    circulation = circulate(people, drafting)

    def answer_then_fail():
        with transaction.atomic():
            services.receipt_answer(
                actor=people["delegate-kaz"], circulation=circulation, position="support"
            )
            raise RuntimeError("later failure")

    with pytest.raises(RuntimeError, match="later failure"):
        answer_then_fail()
    assert notice_of(people, "delegate-kaz").read_at is None


# --- the daily digest ------------------------------------------------------------------------


def test_a_digest_reader_gets_no_email_now_and_one_digest_once(
    people, drafting, django_capture_on_commit_callbacks, eager_celery, settings
):
    settings.CICA_SITE_URL = "https://cica.example"
    preference_set(user=people["delegate-kaz"], language="fr", email_frequency="daily")
    mail.outbox.clear()
    circulation = circulate(people, drafting, capture=django_capture_on_commit_callbacks)
    services.circulation_remind_now(actor=people.secretariat, circulation=circulation)
    assert not [m for m in mail.outbox if m.to == ["delegate-kaz@cica.example"]]
    waiting = Notification.objects.filter(recipient=people["delegate-kaz"])
    assert set(waiting.values_list("email_status", flat=True)) == {EmailStatus.DIGEST}
    # The periodic re-queue of immediate e-mails leaves the digest's rows alone.
    services.notifications_requeue(older_than=datetime.timedelta(0))
    assert not [m for m in mail.outbox if m.to == ["delegate-kaz@cica.example"]]

    assert send_daily_digests.apply().get() >= 1
    digests = [m for m in mail.outbox if m.to == ["delegate-kaz@cica.example"]]
    assert len(digests) == 1
    assert "30 décembre 2026" in digests[0].body
    assert f"https://cica.example/circulations/{circulation.pk}/" in digests[0].body
    assert set(waiting.values_list("email_status", flat=True)) == {EmailStatus.SENT}
    # Exactly once: the next run sends nothing more.
    assert send_daily_digests.apply().get() == 0
    assert len([m for m in mail.outbox if m.to == ["delegate-kaz@cica.example"]]) == 1


def test_a_notice_read_before_the_digest_is_not_emailed(people, drafting):
    preference_set(user=people["delegate-kaz"], email_frequency="daily")
    circulate(people, drafting)
    notice = notice_of(people, "delegate-kaz")
    services.notification_mark_read(user=people["delegate-kaz"], notification=notice)
    mail.outbox.clear()
    assert services.notifications_send_digests() == 0
    assert mail.outbox == []
    notice.refresh_from_db()
    assert notice.email_status == EmailStatus.SKIPPED


def test_a_failed_digest_is_kept_and_sent_once_on_the_next_run(people, drafting, settings):
    preference_set(user=people["delegate-kaz"], email_frequency="daily")
    circulate(people, drafting)
    settings.EMAIL_BACKEND = "tests.secretariat.broken_mail.Backend"
    assert services.notifications_send_digests() == 0
    notice = notice_of(people, "delegate-kaz")
    assert notice.email_status == EmailStatus.DIGEST
    assert notice.claimed_at is None
    assert notice.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()
    assert services.notifications_send_digests() >= 1
    assert services.notifications_send_digests() == 0
    assert len([m for m in mail.outbox if m.to == ["delegate-kaz@cica.example"]]) == 1


def test_a_digest_claimed_by_another_worker_is_not_sent_twice(people, drafting):
    preference_set(user=people["delegate-kaz"], email_frequency="daily")
    circulate(people, drafting)
    Notification.objects.filter(recipient=people["delegate-kaz"]).update(claimed_at=timezone.now())
    mail.outbox.clear()
    services.notifications_send_digests()
    assert not [m for m in mail.outbox if m.to == ["delegate-kaz@cica.example"]]


# --- the preference: from the switcher, the preferences page, at sign-in -----------------------


def test_the_switcher_stores_a_signed_in_users_language(people, client):
    client.force_login(people.secretariat)
    answer = client.post("/i18n/setlang/", {"language": "ru", "next": "/notifications/"})
    assert answer.status_code == 302
    assert answer.cookies["django_language"].value == "ru"
    assert UserPreference.objects.get(user=people.secretariat).language == "ru"


def test_the_switcher_works_anonymously_and_stores_nothing(client):
    answer = client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert answer.status_code == 302
    assert answer.cookies["django_language"].value == "fr"
    assert not UserPreference.objects.exists()


def test_the_preferences_page_sets_language_and_email_frequency(people, client):
    client.force_login(people["delegate-kaz"])
    page = client.get(reverse("notification-list")).content.decode()
    assert reverse("preferences") in page
    assert client.get(reverse("preferences")).status_code == 200
    answer = client.post(reverse("preferences"), {"language": "fr", "email_frequency": "daily"})
    assert answer.status_code == 302
    assert answer.cookies["django_language"].value == "fr"
    preference = UserPreference.objects.get(user=people["delegate-kaz"])
    assert (preference.language, preference.email_frequency) == ("fr", EmailFrequency.DAILY)
    assert (
        client.post(reverse("preferences"), {"language": "xx", "email_frequency": "daily"})
    ).status_code == 400


def test_signing_in_applies_the_stored_language(people, client):
    preference_set(user=people["delegate-kaz"], language="ru")
    answer = client.post(reverse("login"), {"username": "delegate-kaz", "password": DEMO_PASSWORD})
    assert answer.status_code == 302
    assert answer.cookies["django_language"].value == "ru"
    with translation.override("ru"):
        assert "Уведомления" in client.get(reverse("notification-list")).content.decode()


def test_decision_and_information_notices_are_written_in_the_readers_language():
    params = {
        "body": "swg",
        "ref": "HUM-5/1",
        "outcome": "returned",
        "symbol": "CICA/SWG/DEC/2026/1",
        "text": "",
        "objecting": ["IND"],
        "silence_ref": "",
    }
    subject, body = services.notice_render(kind="decision", params=params, language="ru")
    with translation.override("ru"):
        assert str(Body("swg").label) in subject
    assert "HUM-5/1" in subject
    assert "IND" in body
    subject, _body = services.notice_render(
        kind="information_returned", params={"ref": "INF/1", "reason": "x"}, language="fr"
    )
    assert subject != "Returned: INF/1"
    assert "INF/1" in subject


def test_the_desks_unread_notices_are_written_now_in_the_readers_language_and_linked(
    people, drafting, client
):
    """The desk lists unread notices as the notifications page does: written
    in the language the reader reads now, each linked to its page."""
    circulation = circulate(people, drafting)
    client.force_login(people["delegate-kaz"])
    client.cookies["django_language"] = "fr"
    page = client.get("/").content.decode()
    assert f'<a href="/circulations/{circulation.pk}/">Diffusion pour observations' in page
    assert "Dec. 30, 2026" not in page
