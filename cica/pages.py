"""Shared helpers for the delegate pages: run a service, turn a refusal into
a plain-language message on the page (never a stack trace or a bare 403)."""

from django.contrib import messages
from django.shortcuts import redirect, render

# The module, not its names: cica.errors imports DRF, whose settings import
# cica.input, which imports this module for :func:`refused`.
from . import errors


def form_page(
    request,
    *,
    form,
    title,
    on_valid,
    success_url,
    success_message,
    back_url="",
    intro="",
    submit_label="",
):
    """GET shows the form; POST validates it, calls ``on_valid(form)`` (a
    service call), and either redirects with a message or shows the form
    again with the field errors or the service's refusal. Nothing is stored
    unless the service succeeds."""
    refusal = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            on_valid(form)
        except errors.DomainError as refused:
            refusal, status = str(refused.message), refused.status_code
        else:
            messages.success(request, success_message)
            return redirect(success_url)
    elif request.method == "POST":
        status = 400
    context = {
        "form": form,
        "title": title,
        "refusal": refusal,
        "back_url": back_url,
        "intro": intro,
        "submit_label": submit_label,
    }
    return render(request, "cica/form.html", context, status=status)


def refused(request, reason, status: int):
    """The page that says why a request was refused, with its status: the one
    renderer of ``cica/refused.html``."""
    return render(request, "cica/refused.html", {"reason": reason}, status=status)
