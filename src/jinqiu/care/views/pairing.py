"""结对联系: the paired persons of the special groups, when each was last called and visited, and who is late
under the contact rules (the bureau edits them)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jinqiu.core import xlsx
from jinqiu.core.web import apply_service, paginate, require

from .. import selectors, services
from ..models import ContactKind, ContactRule
from ..permissions import has_care_duties, may_edit_rules
from .tasks import log_export, send_xlsx

STATE_LABELS = {
    "all": gettext_lazy("All"), "overdue": gettext_lazy("Call or visit overdue"),
    "call_overdue": gettext_lazy("Call overdue"), "visit_overdue": gettext_lazy("Visit overdue"),
}


class PairingFilter(forms.Form):
    state = forms.ChoiceField(label=gettext_lazy("Show"), required=False, choices=list(STATE_LABELS.items()))
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=40)
    mine = forms.BooleanField(label=gettext_lazy("Only my persons"), required=False)


class ContactRuleForm(forms.ModelForm):
    class Meta:
        model = ContactRule
        fields = ["every_days", "is_active"]


def _rows(request):
    form = PairingFilter(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    state = data.get("state") or ("all" if request.GET else "overdue")  # the page opens on who is late
    persons = selectors.paired_special(request.user, state=state, mine=bool(data.get("mine")), q=data.get("q") or "")
    return form, persons


def pairing_list(request):
    require(has_care_duties(request.user))
    form, persons = _rows(request)
    today = timezone.localdate()
    page = paginate(request, persons)
    rules = services.ensure_contact_rules()
    contacts = selectors.pair_contacts_of(list(page.object_list))
    rows = [{"person": p, "contacts": contacts.get(p.pk, []), **{
        k: v for k, v in selectors.contact_status(p, rules, today).items()}} for p in page.object_list]
    return render(request, "care/pairing_list.html", {
        "form": form, "page": page, "rows": rows, "rules": [rules[ContactKind.CALL], rules[ContactKind.VISIT]],
        "can_edit_rules": may_edit_rules(request.user), "CALL": ContactKind.CALL, "VISIT": ContactKind.VISIT,
        "query": request.GET.urlencode()})


def pairing_export(request):
    require(has_care_duties(request.user))
    _form, persons = _rows(request)
    today = timezone.localdate()
    rules = services.ensure_contact_rules()
    persons = list(persons)
    contacts = selectors.pair_contacts_of(persons)
    ws = xlsx.SheetWriter(_("Pairing and contact"))
    ws.append([_("Full name"), _("Community"), _("Pair contact"), _("Last call"), _("Next call due"),
               _("Last visit"), _("Next visit due")])
    for person in persons:
        status = selectors.contact_status(person, rules, today)
        ws.append([person.name, person.region.name if person.region else "",
                   "、".join(str(c) for c in contacts.get(person.pk, [])),
                   status[ContactKind.CALL]["last"] or _("None yet"), status[ContactKind.CALL]["due"] or _("Now"),
                   status[ContactKind.VISIT]["last"] or _("None yet"), status[ContactKind.VISIT]["due"] or _("Now")])
    with translation.override("zh-hans"):
        log_export(request, _("Pair contacts and when each person was last called and visited, %(n)d persons")
                   % {"n": len(persons)})
    return send_xlsx(ws, _("Pairing and contact"))


def contact_rule_edit(request, pk: int):
    require(has_care_duties(request.user))
    rule = get_object_or_404(ContactRule, pk=pk)
    require(may_edit_rules(request.user))
    form = ContactRuleForm(request.POST or None, instance=ContactRule.objects.get(pk=rule.pk))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if apply_service(form, lambda: services.contact_rule_update(
                actor=request.user, rule=rule, every_days=d["every_days"], is_active=d["is_active"])):
            messages.success(request, _("The contact rule has been saved."))
            return redirect("care:pairing")
    return render(request, "form_page.html", {
        "form": form, "title": _("Contact rule: %(kind)s") % {"kind": rule.get_kind_display()},
        "submit": _("Save")})
