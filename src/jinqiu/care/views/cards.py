"""联系卡: one person's card, or a whole community's, as PDF (four to an A4 sheet)."""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jinqiu.accounts.models import AccessAction
from jinqiu.accounts.scoping import get_visible_or_404, visible_persons
from jinqiu.accounts.services import access_log_record
from jinqiu.core.web import client_ip, require
from jinqiu.people.models import PersonStatus
from jinqiu.regions.models import Region

from .. import cards
from ..permissions import may_manage, may_visit

PDF = "application/pdf"
# A community has a few hundred retired cadres at most; more in one file is refused, not truncated.
MAX_CARDS = 2000


class CommunityForm(forms.Form):
    region = forms.ModelChoiceField(label=gettext_lazy("Community"), queryset=Region.objects.none())

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions


def _pdf(request, persons: list, filename: str, what: str) -> HttpResponse:
    content = cards.render_pdf(cards.cards_for(persons))
    with translation.override("zh-hans"):
        detail = _("Contact cards (PDF): %(what)s, %(n)d cards") % {"what": what, "n": len(persons)}
    access_log_record(actor=request.user, action=AccessAction.EXPORT, reason="", detail=detail,
                      ip_address=client_ip(request))
    response = HttpResponse(content, content_type=PDF)
    stamp = timezone.localtime().strftime("%Y%m%d")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'{filename}-{stamp}.pdf', safe='')}"
    response["Cache-Control"] = "no-store"
    return response


def person_card(request, pk: int):
    person = get_visible_or_404(visible_persons(request.user), pk=pk)
    require(may_visit(request.user))
    return _pdf(request, [person], _("Contact card %(name)s") % {"name": person.name}, person.name)


def community_cards(request):
    """Without a community: the choice of one in scope; with one: the PDF of every person living there."""
    require(may_manage(request.user))
    persons = visible_persons(request.user).filter(status=PersonStatus.ACTIVE)
    regions = Region.objects.filter(pk__in=persons.values("region_id")).order_by("path")
    form = CommunityForm(request.GET or None, regions=regions)
    if request.GET and form.is_valid():
        region = form.cleaned_data["region"]
        chosen = list(persons.filter(region=region).select_related("region").order_by("name", "pk")[:MAX_CARDS + 1])
        if len(chosen) > MAX_CARDS:
            form.add_error("region", _("More than %(n)d persons: print the cards of one community at a time.")
                           % {"n": MAX_CARDS})
        elif not chosen:
            form.add_error("region", _("Nobody on the register lives in this community."))
        else:
            return _pdf(request, chosen, _("Contact cards %(name)s") % {"name": region.name}, region.name)
    return render(request, "care/cards_choose.html", {"form": form},
                  status=400 if request.GET and form.errors else 200)
