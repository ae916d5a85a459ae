"""Thin views over persons: check scope and role, parse, call a service or selector, render."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jinqiu.accounts import services as account_services
from jinqiu.accounts.scoping import get_visible_or_404, visible_orgs, visible_persons
from jinqiu.core.web import apply_service, client_ip, is_htmx, paginate, require

from . import forms, selectors, services
from .models import Membership, PersonStatus


def _filters_from(form: forms.PersonFilterForm) -> selectors.PersonFilters:
    data = form.cleaned_data if form.is_valid() else {}
    status = data.get("status") or PersonStatus.ACTIVE
    return selectors.PersonFilters(
        q=data.get("q", ""),
        org_path=data["org"].path if data.get("org") else "",
        region_path=data["region"].path if data.get("region") else "",
        unit_id=data["unit"].pk if data.get("unit") else None,
        retirement_type=data.get("retirement_type", ""),
        age_band=data.get("age_band", ""),
        situations=data.get("situation", []),
        status="" if status == "all" else status,
        party=data.get("party", ""),
        pending=data.get("pending", False),
    )


def person_list(request):
    require(request.user.is_staff_user)
    orgs = visible_orgs(request.user)
    form = forms.PersonFilterForm(request.GET or None, orgs=orgs)
    filters = _filters_from(form)
    qs = selectors.filter_persons(visible_persons(request.user), filters)
    page = paginate(request, selectors.with_list_relations(qs.order_by("name", "pk")),
                    count_from_first_page=bool(filters.q))
    context = {"form": form, "page": page, "total": page.paginator.count}
    template = "people/_person_rows.html" if is_htmx(request) else "people/person_list.html"
    return render(request, template, context)


def person_detail(request, pk: int):
    require(request.user.is_staff_user)
    scoped = visible_persons(request.user)
    get_visible_or_404(scoped, pk=pk)
    person = selectors.person_detail(scoped, pk)
    history = (LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(person), object_pk=str(pk))
               .select_related("actor").order_by("-timestamp")[:50])
    pairings = person.pairings.filter(ended_on__isnull=True).select_related("contact")
    return render(request, "people/person_detail.html", {
        "person": person, "history": history, "reveal_form": forms.RevealForm(), "pairings": pairings,
    })


def _person_for_edit(request, pk: int):
    person = get_visible_or_404(visible_persons(request.user), pk=pk)
    require(request.user.can_edit)
    return person


def _action_page(request, form, title, person=None, submit=None):
    return render(request, "form_page.html", {"form": form, "title": title, "person": person,
                                              "submit": submit or _("Save")})


def person_create(request):
    require(request.user.can_edit)
    orgs = visible_orgs(request.user)
    form = forms.PersonCreateForm(request.POST or None, orgs=orgs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = apply_service(form, lambda: services.person_create(
            actor=request.user, id_number=data["id_number"],
            fields={k: v for k, v in data.items() if k not in ("id_number", "primary_org", "outside_org_name")},
            org=data.get("primary_org"), outside_org_name=data.get("outside_org_name", "")))
        if person is not None:
            if not visible_persons(request.user).filter(pk=person.pk).exists():
                messages.warning(request, _("Saved, but this person lies outside your scope."))
                return redirect("people:list")
            messages.success(request, _("%(name)s has been registered.") % {"name": person.name})
            return redirect("people:detail", pk=person.pk)
    return _action_page(request, form, _("Register a person"))


def person_edit(request, pk: int):
    person = _person_for_edit(request, pk)
    form = forms.PersonForm(request.POST or None, instance=person, editing=True,
                            initial={"id_number": ""})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = apply_service(form, lambda: services.person_update(
            actor=request.user, person=person, id_number=data.get("id_number") or None,
            fields={k: v for k, v in data.items() if k != "id_number"}))
        if saved is not None:
            messages.success(request, _("Changes saved."))
            return redirect("people:detail", pk=pk)
    return _action_page(request, form, _("Edit %(name)s") % {"name": person.name}, person)


def person_transfer(request, pk: int):
    person = _person_for_edit(request, pk)
    form = forms.TransferForm(request.POST or None, orgs=visible_orgs(request.user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = apply_service(form, lambda: services.membership_transfer(
            actor=request.user, person=person, org=d["org"], outside_org_name=d["outside_org_name"], on=d["on"]))
        if done is not None:
            messages.success(request, _("The membership relation has been transferred."))
            if not visible_persons(request.user).filter(pk=pk).exists():
                return redirect("people:list")
            return redirect("people:detail", pk=pk)
    return _action_page(request, form, _("Transfer the membership relation of %(name)s") % {"name": person.name},
                        person, _("Transfer"))


def person_join(request, pk: int):
    person = _person_for_edit(request, pk)
    form = forms.JoinForm(request.POST or None, orgs=visible_orgs(request.user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if apply_service(form, lambda: services.membership_join(actor=request.user, person=person, org=d["org"],
                                                                on=d["on"])):
            messages.success(request, _("Participation added."))
            return redirect("people:detail", pk=pk)
    return _action_page(request, form, _("Take part in a functional organisation: %(name)s") % {"name": person.name},
                        person)


def membership_end(request, pk: int, membership_pk: int):
    person = _person_for_edit(request, pk)
    membership = get_visible_or_404(Membership.objects.filter(person=person), pk=membership_pk)
    form = forms.EndMembershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if apply_service(form, lambda: services.membership_end(actor=request.user, membership=membership,
                                                               on=d["on"], reason=d["reason"])):
            messages.success(request, _("Participation ended."))
            return redirect("people:detail", pk=pk)
    return _action_page(request, form, _("End participation in %(org)s") % {"org": membership.org_label}, person)


def person_death(request, pk: int):
    person = _person_for_edit(request, pk)
    form = forms.DeathForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if apply_service(form, lambda: services.person_record_death(actor=request.user, person=person,
                                                                    died_on=form.cleaned_data["died_on"])):
            messages.success(request, _("The death has been recorded. Survivors can now be added."))
            return redirect("people:detail", pk=pk)
    return _action_page(request, form, _("Record the death of %(name)s") % {"name": person.name}, person)


def person_move_away(request, pk: int):
    person = _person_for_edit(request, pk)
    form = forms.MoveAwayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if apply_service(form, lambda: services.person_move_away(actor=request.user, person=person, on=d["on"],
                                                                 moved_to=d["moved_to"])):
            messages.success(request, _("The move has been recorded."))
            return redirect("people:detail", pk=pk)
    return _action_page(request, form, _("%(name)s moves away") % {"name": person.name}, person)


def survivor_add(request, pk: int):
    person = _person_for_edit(request, pk)
    form = forms.SurvivorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if apply_service(form, lambda: services.survivor_add(actor=request.user, person=person,
                                                             fields=form.cleaned_data)):
            messages.success(request, _("Survivor added."))
            return redirect("people:detail", pk=pk)
    return _action_page(request, form, _("Add a survivor of %(name)s") % {"name": person.name}, person)


@require_POST
def person_reveal(request, pk: int):
    person = get_visible_or_404(visible_persons(request.user), pk=pk)
    require(request.user.can_reveal)
    form = forms.RevealForm(request.POST)
    value, error = None, None
    if form.is_valid():
        try:
            value = account_services.person_reveal(
                actor=request.user, person=person, field=form.cleaned_data["field"],
                reason=form.cleaned_data["reason"], ip_address=client_ip(request))
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = _("Give a reason for seeing this value.")
    if is_htmx(request):
        return render(request, "people/_revealed.html", {"value": value, "error": error, "person": person,
                                                          "field": request.POST.get("field", "")})
    if error:
        messages.error(request, error)
    else:
        label = dict(form.fields["field"].choices)[form.cleaned_data["field"]]
        messages.info(request, _("%(field)s: %(value)s") % {"field": label, "value": value})
    return redirect("people:detail", pk=pk)


def pending_list(request):
    """待落实组织关系: party members whose relation is not known yet."""
    require(request.user.is_staff_user)
    return redirect(reverse("people:list") + "?pending=on&party=yes")
