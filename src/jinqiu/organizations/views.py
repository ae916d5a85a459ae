"""Thin views over party organisations and units."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jinqiu.accounts.models import Role
from jinqiu.accounts.scoping import (
    get_visible_or_404,
    sees_all_members_of,
    sees_structure,
    visible_orgs,
    visible_persons,
)
from jinqiu.core.web import apply_service, is_htmx, paginate, require
from jinqiu.people import selectors as people_selectors
from jinqiu.people import services as people_services
from jinqiu.people.forms import OfficerEndForm, OfficerForm
from jinqiu.people.models import OfficerTerm

from . import forms, selectors, services
from .models import PartyOrg, Unit


def visible_units(user):
    """Units are reference data for every staff role and out of scope (404) for everyone else."""
    return Unit.objects.all() if sees_structure(user) else Unit.objects.none()


def _form_page(request, form, title, submit=None, org=None):
    return render(request, "form_page.html", {"form": form, "title": title, "org": org,
                                              "submit": submit or _("Save")})


def org_list(request):
    require(request.user.is_staff_user)
    orgs = visible_orgs(request.user)
    form = forms.OrgFilterForm(request.GET or None)
    filtering = bool(request.GET) and form.is_valid() and any(
        v for k, v in form.cleaned_data.items() if k != "active")
    context = {"form": form, "filtering": filtering}
    if filtering:
        d = form.cleaned_data
        f = selectors.OrgFilters(q=d["q"], kind=d["kind"], establishment=d["establishment"],
                                 location_type=d["location_type"], active=d["active"] or "yes",
                                 in_service_secretary=d["in_service_secretary"])
        page = paginate(request, selectors.filter_orgs(orgs, f))
        page.object_list = selectors.with_path_labels(page.object_list)
        context["page"] = page
    else:
        context["roots"] = selectors.roots_of(orgs.filter(dissolved_on__isnull=True))
    return render(request, "organizations/org_list.html", context)


def org_children(request, pk: int):
    """HTMX: the next level of the tree under one organisation."""
    orgs = visible_orgs(request.user)
    org = get_visible_or_404(orgs, pk=pk)
    require(request.user.is_staff_user)
    children = selectors.children_of(orgs.filter(dissolved_on__isnull=True), org)
    return render(request, "organizations/_tree_nodes.html", {"nodes": children})


def org_detail(request, pk: int):
    orgs = visible_orgs(request.user)
    org = get_visible_or_404(orgs.select_related("unit", "region"), pk=pk)
    require(request.user.is_staff_user)
    covered = sees_all_members_of(request.user, org)
    members = people_selectors.org_members(org)
    totals = people_selectors.org_subtree_totals(org, orgs, None if covered else visible_persons(request.user))
    totals["orgs"] = selectors.kind_counts_labelled(totals["orgs"])
    history = (LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(org), object_pk=str(pk))
               .select_related("actor").order_by("-timestamp")[:30])
    return render(request, "organizations/org_detail.html", {
        "org": org,
        "ancestors": orgs.filter(pk__in=PartyOrg.objects.get_ancestors(org).values("pk")).order_by("path"),
        "children": selectors.children_of(orgs, org).select_related("unit"),
        "totals": totals,
        "members": members if covered else members.filter(person__in=visible_persons(request.user)),
        "officers": OfficerTerm.objects.filter(org=org).select_related("person").order_by("ended_on", "role"),
        "history": history,
    })


def org_create(request):
    require(request.user.can_edit)
    orgs = visible_orgs(request.user)
    form = forms.OrgCreateForm(request.POST or None, orgs=orgs, initial={"parent": request.GET.get("parent")})
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        parent = d.pop("parent")
        if parent is None and not request.user.has_role(Role.BUREAU):
            form.add_error("parent", _("Choose the parent organisation."))
        else:
            org = apply_service(form, lambda: services.org_create(actor=request.user, parent=parent, fields=d))
            if org is not None:
                messages.success(request, _("%(name)s has been created.") % {"name": org.path_label})
                return redirect("organizations:detail", pk=org.pk)
    return _form_page(request, form, _("New party organisation"))


def org_edit(request, pk: int):
    org = get_visible_or_404(visible_orgs(request.user), pk=pk)
    require(request.user.can_edit)
    form = forms.OrgForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        if apply_service(form, lambda: services.org_update(actor=request.user, org=org, fields=form.cleaned_data)):
            messages.success(request, _("Changes saved."))
            return redirect("organizations:detail", pk=pk)
    return _form_page(request, form, _("Edit %(name)s") % {"name": org.path_label}, org=org)


def org_move(request, pk: int):
    orgs = visible_orgs(request.user)
    org = get_visible_or_404(orgs, pk=pk)
    require(request.user.can_edit)
    form = forms.OrgMoveForm(request.POST or None, orgs=orgs, org=org)
    if request.method == "POST" and form.is_valid():
        if apply_service(form, lambda: services.org_move(actor=request.user, org=org,
                                                         new_parent=form.cleaned_data["parent"])):
            messages.success(request, _("%(name)s has been moved.") % {"name": PartyOrg.objects.get(pk=pk).path_label})
            return redirect("organizations:detail", pk=pk)
    return _form_page(request, form, _("Move %(name)s") % {"name": org.path_label}, _("Move"), org=org)


def org_dissolve(request, pk: int):
    org = get_visible_or_404(visible_orgs(request.user), pk=pk)
    require(request.user.can_edit)
    form = forms.OrgDissolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if apply_service(form, lambda: people_services.organization_dissolve(actor=request.user, org=org,
                                                                             on=d["on"], reason=d["reason"])):
            messages.success(request, _("%(name)s has been dissolved; its record is kept.")
                             % {"name": org.path_label})
            return redirect("organizations:detail", pk=pk)
    return _form_page(request, form, _("Dissolve %(name)s") % {"name": org.path_label}, _("Dissolve"), org=org)


def officer_add(request, pk: int):
    org = get_visible_or_404(visible_orgs(request.user), pk=pk)
    require(request.user.can_edit)
    members = visible_persons(request.user).filter(memberships__org=org, memberships__ended_on__isnull=True)
    form = OfficerForm(request.POST or None, persons=members.distinct())
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if apply_service(form, lambda: people_services.officer_appoint(
                actor=request.user, org=org, role=d["role"], started_on=d["started_on"], person=d["person"],
                name=d["name"], in_service=d["in_service"])):
            messages.success(request, _("Officer added."))
            return redirect("organizations:detail", pk=pk)
    return _form_page(request, form, _("Add an officer to %(name)s") % {"name": org.path_label}, org=org)


def officer_end(request, pk: int, term_pk: int):
    org = get_visible_or_404(visible_orgs(request.user), pk=pk)
    term = get_visible_or_404(OfficerTerm.objects.filter(org=org), pk=term_pk)
    require(request.user.can_edit)
    form = OfficerEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if apply_service(form, lambda: people_services.officer_end(actor=request.user, term=term,
                                                                   on=form.cleaned_data["on"])):
            messages.success(request, _("Term ended."))
            return redirect("organizations:detail", pk=pk)
    return _form_page(request, form, _("End the term of %(name)s") % {"name": term.display_name}, org=org)


def unit_list(request):
    require(sees_structure(request.user))
    form = forms.UnitFilterForm(request.GET or None)
    units = people_selectors.units_with_retiree_counts(Unit.objects.all(), visible_persons(request.user))
    if form.is_valid():
        d = form.cleaned_data
        if d["q"]:
            units = units.filter(name__icontains=d["q"])
        if d["kind"]:
            units = units.filter(kind=d["kind"])
        if d["region"]:
            units = units.filter(region__path__startswith=d["region"].path)
        if d["has_org"]:
            units = units.filter(has_party_org=d["has_org"] == "yes")
    page = paginate(request, units.order_by("name"))
    template = "organizations/_unit_rows.html" if is_htmx(request) else "organizations/unit_list.html"
    return render(request, template, {"form": form, "page": page})


def unit_create(request):
    require(request.user.has_role(Role.BUREAU))
    form = forms.UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if apply_service(form, lambda: services.unit_create(actor=request.user, fields=form.cleaned_data)):
            messages.success(request, _("Unit saved."))
            return redirect("organizations:units")
    return _form_page(request, form, _("New unit"))


def unit_edit(request, pk: int):
    unit = get_visible_or_404(visible_units(request.user), pk=pk)
    require(request.user.has_role(Role.BUREAU))
    form = forms.UnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        if apply_service(form, lambda: services.unit_update(actor=request.user, unit=unit,
                                                            fields=form.cleaned_data)):
            messages.success(request, _("Changes saved."))
            return redirect("organizations:units")
    return _form_page(request, form, _("Edit %(name)s") % {"name": unit.name})
