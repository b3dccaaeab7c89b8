"""The expert roster pages (modality (b)): the roster, and a member state's
delegate designating an expert for their state."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cica.pages import form_page
from members.rules import acting_for, can_see_expert_contact

from . import services
from .models import Expert, Measure


def expert_list(request):
    experts = Expert.objects.select_related("participant", "measure").order_by(
        "measure__area__order", "measure__number", "participant__code"
    )
    own = acting_for(request.user)
    rows = [
        {"expert": e, "contact": e.contact if can_see_expert_contact(request.user, e) else None}
        for e in experts
    ]
    can_designate = bool(own and own.status_on() == "member")
    return render(request, "cica/experts.html", {"rows": rows, "can_designate": can_designate})


class ExpertForm(forms.Form):
    measure: forms.ModelChoiceField[Measure] = forms.ModelChoiceField(
        label=gettext_lazy("Measure"), queryset=Measure.objects.all()
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    contact = forms.CharField(
        label=gettext_lazy("Contact"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Shown to the secretariat and your state only."),
    )
    expertise = forms.CharField(
        label=gettext_lazy("Expertise"), widget=forms.Textarea, required=False, max_length=2000
    )
    languages = forms.CharField(label=gettext_lazy("Languages"), max_length=100, required=False)
    started_on = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ended_on = forms.DateField(
        label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


@login_required
def expert_new(request):
    form = ExpertForm(request.POST or None, initial={"started_on": timezone.localdate()})
    return form_page(
        request,
        form=form,
        title=_("Designate an expert"),
        on_valid=lambda f: services.expert_designate(actor=request.user, **f.cleaned_data),
        success_url=reverse("expert-list"),
        success_message=_("The expert is designated."),
        back_url=reverse("expert-list"),
    )
