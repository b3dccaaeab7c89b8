"""A user's own preferences: the language of their pages and notices, and how
often they are e-mailed (issue 16 item 3). Thin: each action calls a service."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from cica.errors import DomainError
from cica.pages import form_page

from .models import EmailFrequency
from .selectors import notice_languages, preference_of
from .services import preference_set

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class PreferenceForm(forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the pages, notices and e-mails"),
        choices=settings.LANGUAGES,
    )
    email_frequency = forms.ChoiceField(
        label=gettext_lazy("E-mail"),
        choices=EmailFrequency.choices,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "Either an e-mail for each notice as it comes, or one e-mail a day listing "
            "the notices you have not read."
        ),
    )


def _remember_language(response: HttpResponse, language: str) -> HttpResponse:
    """The language cookie Django's LocaleMiddleware reads, as set_language sets it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    preference = preference_of(request.user)
    user = cast("User", request.user)  # login_required
    user_id: int = user.pk
    initial = {
        "language": notice_languages([user_id])[user_id],
        "email_frequency": preference.email_frequency,
    }
    form = PreferenceForm(request.POST or None, initial=initial)

    def save(form: PreferenceForm) -> None:
        preference_set(
            user=user,
            language=form.cleaned_data["language"],
            email_frequency=form.cleaned_data["email_frequency"],
        )

    language = form.cleaned_data["language"] if form.is_bound and form.is_valid() else ""
    # The confirmation is said in the language just chosen.
    with translation.override(language) if language else contextlib.nullcontext():
        response = form_page(
            request,
            form=form,
            title=_("Your preferences"),
            intro=_(
                "The language you read the pages, your notifications and their e-mails in, "
                "and how often you are e-mailed."
            ),
            on_valid=save,
            success_url=reverse("notification-list"),
            success_message=_("Your preferences are saved."),
            back_url=reverse("notification-list"),
            submit_label=_("Save"),
        )
    if response.status_code == 302 and language:
        _remember_language(response, language)
    return response


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """The language switcher: Django's ``set_language`` (cookie and redirect),
    and for a signed-in user also their preference, so that their notices
    and e-mails follow the language they chose."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and translation.check_for_language(language):
        # Not one of the site's languages: set_language ignored it too.
        with contextlib.suppress(DomainError):
            preference_set(user=request.user, language=language)
    return response


@receiver(user_logged_in, dispatch_uid="members.language_at_login")
def _language_at_login(sender, request, user, **kwargs) -> None:
    """At sign-in the pages switch to the user's stored language:
    ``PreferredLanguageMiddleware`` sets the cookie on the response."""
    if request is None:
        return
    preference = preference_of(user)
    if preference.language:
        request.cica_language = preference.language
        translation.activate(preference.language)


class PreferredLanguageMiddleware:
    """Sets the language cookie chosen at sign-in (see ``_language_at_login``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)
        language = getattr(request, "cica_language", "")
        if language:
            _remember_language(response, language)
        return response
