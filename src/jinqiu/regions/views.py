"""Thin views over the region tree: every staff role browses it, the bureau changes it."""

from django.contrib import messages
from django.db.models import Count
from django.db.models.functions import Substr
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jinqiu.accounts.models import Role
from jinqiu.accounts.scoping import get_visible_or_404, sees_structure, visible_persons
from jinqiu.core.web import apply_service, require
from jinqiu.people.models import PersonStatus

from . import forms, services
from .api import visible_regions
from .models import Region


def _with_resident_counts(regions, user):
    """Residents the user sees under each region, in one grouped query (siblings share a path length)."""
    regions = list(regions)
    if not regions:
        return []
    length = len(regions[0].path)
    persons = visible_persons(user).filter(status=PersonStatus.ACTIVE, region__isnull=False)
    counts = dict(persons.annotate(prefix=Substr("region__path", 1, length)).values("prefix")
                  .annotate(n=Count("pk")).values_list("prefix", "n"))
    return [(r, counts.get(r.path, 0)) for r in regions]


def region_list(request):
    require(sees_structure(request.user))
    roots = Region.objects.get_root_nodes()
    return render(request, "regions/region_list.html", {"rows": _with_resident_counts(roots, request.user)})


def region_detail(request, pk: int):
    region = get_visible_or_404(visible_regions(request.user), pk=pk)
    children = Region.objects.get_children(region)
    return render(request, "regions/region_detail.html", {
        "region": region, "ancestors": Region.objects.get_ancestors(region),
        "rows": _with_resident_counts(children, request.user),
    })


def region_create(request):
    require(request.user.has_role(Role.BUREAU))
    form = forms.RegionForm(request.POST or None, initial={"parent": request.GET.get("parent")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        region = apply_service(form, lambda: services.region_create(
            actor=request.user, parent=d["parent"], name=d["name"], level=d["level"], code=d["code"]))
        if region is not None:
            messages.success(request, _("%(name)s has been created.") % {"name": region.name})
            return redirect("regions:detail", pk=region.pk)
    return render(request, "form_page.html", {"form": form, "title": _("New region"), "submit": _("Save")})


def region_rename(request, pk: int):
    region = get_visible_or_404(visible_regions(request.user), pk=pk)
    require(request.user.has_role(Role.BUREAU))
    form = forms.RegionRenameForm(request.POST or None, initial={"name": region.name, "code": region.code})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if apply_service(form, lambda: services.region_rename(actor=request.user, region=region, name=d["name"],
                                                              code=d["code"])):
            messages.success(request, _("Changes saved."))
            return redirect("regions:detail", pk=pk)
    return render(request, "form_page.html", {"form": form, "title": _("Rename %(name)s") % {"name": region.name},
                                              "submit": _("Save")})


def region_move(request, pk: int):
    region = get_visible_or_404(visible_regions(request.user), pk=pk)
    require(request.user.has_role(Role.BUREAU))
    form = forms.RegionMoveForm(request.POST or None, region=region)
    if request.method == "POST" and form.is_valid():
        if apply_service(form, lambda: services.region_move(actor=request.user, region=region,
                                                            new_parent=form.cleaned_data["parent"])):
            messages.success(request, _("%(name)s has been moved.") % {"name": region.name})
            return redirect("regions:detail", pk=pk)
    return render(request, "form_page.html", {"form": form, "title": _("Move %(name)s") % {"name": region.name},
                                              "submit": _("Move")})
