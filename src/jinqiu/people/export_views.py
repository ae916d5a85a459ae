"""Excel downloads: person lists (with their filters), the 待落实 list, an organisation's 花名册, the
template and the units list.

Who: staff roles that see the list (never the three admin roles, never members); only persons in
`visible_persons(user)` appear; an organisation outside the user's scope answers 404. Values are masked
unless a role allowed to reveal gives a reason. Every export is written to the access log.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import FileResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jinqiu.accounts.models import AccessAction
from jinqiu.accounts.scoping import get_visible_or_404, sees_structure, visible_orgs, visible_persons
from jinqiu.accounts.services import access_log_record
from jinqiu.core.web import apply_service, client_ip, require
from jinqiu.organizations.forms import UnitFilterForm
from jinqiu.organizations.models import Unit

from . import exports, selectors
from .forms import PersonFilterForm, describe_filters, filter_errors
from .models import Membership, PersonStatus
from .views import _filters_from


class ExportReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason for exporting full values"), max_length=200,
                             widget=forms.Textarea(attrs={"rows": 2}))
    query = forms.CharField(required=False, widget=forms.HiddenInput)


def check_full_export(*, actor, reason: str) -> str:
    """Full ID numbers and phones only for roles that may reveal, and only with a reason."""
    if not actor.can_reveal:
        raise PermissionError(_("Your role may not reveal personal data."))
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": [_("Give a reason for exporting full values.")]})
    return reason


def _footer(request) -> exports.Footer:
    return exports.Footer(exported_by=str(request.user), exported_at=timezone.now())


def _describe(form: forms.Form) -> str:
    """The filters as the access log keeps them, in Chinese words: "搜索：张；是否党员：党员"."""
    with translation.override("zh-hans"):
        return describe_filters(form)


def _invalid_filters(request, form: forms.Form, back: str):
    """A filter that is not valid exports nothing: no file, no access-log row, a message naming the filter."""
    return render(request, "people/filter_error.html", {"errors": filter_errors(form), "back": back}, status=400)


def _send(request, handle, *, kind: str, filename: str, count: int, full: bool, filters: str,
          reason: str = "") -> FileResponse:
    with translation.override("zh-hans"):  # the log reads the same whoever exported
        detail = _("%(kind)s, %(values)s, %(n)s rows; %(filters)s") % {
            "kind": exports.EXPORT_KINDS[kind], "values": _("full values") if full else _("masked"), "n": count,
            "filters": filters or _("no filter")}
    access_log_record(actor=request.user, action=AccessAction.EXPORT, field=kind, reason=reason, detail=detail,
                      ip_address=client_ip(request))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = FileResponse(handle, as_attachment=True, filename=f"{filename}-{stamp}.xlsx",
                            content_type=exports.XLSX_TYPE)
    response["Cache-Control"] = "no-store"
    return response


def _person_list(request, params: QueryDict, *, full: bool, reason: str = "", force_pending: bool = False):
    if force_pending:
        params = params.copy()
        params["pending"] = "on"
        params["party"] = "yes"
    form = PersonFilterForm(params or None, orgs=visible_orgs(request.user))
    filters = _filters_from(form)
    if filters is None:
        query = params.copy()
        for key in ("csrfmiddlewaretoken", "reason", "query"):
            query.pop(key, None)
        return _invalid_filters(request, form, f"{reverse('people:list')}?{query.urlencode()}")
    qs = selectors.filter_persons(visible_persons(request.user), filters)
    title = exports.list_title(pending=filters.pending)
    handle, count = exports.write_persons(qs, title=title, footer=_footer(request), full=full)
    return _send(request, handle, kind="pending" if filters.pending else "persons", filename=title, count=count,
                 full=full, filters=_describe(form) if form.is_bound else "", reason=reason)


def person_export(request):
    """The person list as it is filtered on the page, masked."""
    require(request.user.is_staff_user)
    return _person_list(request, request.GET, full=False)


def pending_export(request):
    """待落实组织关系: party members on the register with no known membership relation."""
    require(request.user.is_staff_user)
    return _person_list(request, request.GET, full=False, force_pending=True)


def _reason_page(request, form, *, title: str, back: str):
    return render(request, "people/export_reason.html", {"form": form, "title": title, "back": back})


def person_export_full(request):
    """GET: the reason form, carrying the list's filters; POST: the list with full values, logged."""
    require(request.user.is_staff_user and request.user.can_reveal)
    if request.method == "POST":
        form = ExportReasonForm(request.POST)
    else:
        filters = PersonFilterForm(request.GET or None, orgs=visible_orgs(request.user))
        if filters.is_bound and not filters.is_valid():  # say so before asking for a reason
            return _invalid_filters(request, filters, f"{reverse('people:list')}?{request.GET.urlencode()}")
        form = ExportReasonForm(initial={"query": request.GET.urlencode()})
    if request.method == "POST" and form.is_valid():
        reason = apply_service(form, lambda: check_full_export(actor=request.user, reason=form.cleaned_data["reason"]))
        if reason is not None:
            return _person_list(request, QueryDict(form.cleaned_data["query"]), full=True, reason=reason)
    query = form["query"].value() or ""
    return _reason_page(request, form, title=_("Export the list with full ID numbers and phones"),
                        back=f"{reverse('people:list')}?{query}")


def roster_members(user, org):
    """Active persons with an active membership anywhere in the organisation's subtree, each once."""
    in_subtree = Membership.objects.filter(org__path__startswith=org.path, ended_on__isnull=True)
    return visible_persons(user).filter(status=PersonStatus.ACTIVE, pk__in=in_subtree.values("person_id"))


def _roster(request, org, *, full: bool, reason: str = ""):
    title = exports.roster_title(org.name)
    handle, count = exports.write_persons(roster_members(request.user, org), title=title, footer=_footer(request),
                                          full=full)
    with translation.override("zh-hans"):
        filters = _("%(filter)s: %(value)s") % {"filter": _("Party organisation"), "value": str(org)}
    return _send(request, handle, kind="roster", filename=title, count=count, full=full, filters=filters,
                 reason=reason)


def roster_export(request, pk: int):
    """An organisation's 花名册: title, header, members of its subtree, 合计 and footer; masked."""
    org = get_visible_or_404(visible_orgs(request.user), pk=pk)  # scope first: out of scope is 404
    require(request.user.is_staff_user)
    return _roster(request, org, full=False)


def roster_export_full(request, pk: int):
    org = get_visible_or_404(visible_orgs(request.user), pk=pk)
    require(request.user.is_staff_user and request.user.can_reveal)
    form = ExportReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = apply_service(form, lambda: check_full_export(actor=request.user, reason=form.cleaned_data["reason"]))
        if reason is not None:
            return _roster(request, org, full=True, reason=reason)
    return _reason_page(request, form, title=_("Export the roster of %(org)s with full ID numbers and phones")
                        % {"org": org.name}, back=reverse("organizations:detail", args=[org.pk]))


def template_export(request):
    """An empty 花名册 with the header row and one fictitious example row; no personal data, not logged."""
    require(request.user.is_staff_user)
    return FileResponse(exports.write_template(), as_attachment=True, filename=f"{exports.template_name()}.xlsx",
                        content_type=exports.XLSX_TYPE)


def unit_export(request):
    """The units list with its filters, as on the page."""
    require(sees_structure(request.user))
    form = UnitFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return _invalid_filters(request, form, f"{reverse('organizations:units')}?{request.GET.urlencode()}")
    units = selectors.units_with_retiree_counts(Unit.objects.all(), visible_persons(request.user))
    # The same filters as organizations.views.unit_list.
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
    title, headers, rows = exports.unit_table(units.order_by("name", "pk"))
    handle, count = exports.write_table(title=title, headers=headers, rows=rows, footer=_footer(request),
                                        widths=[30, 12, 20, 12, 16])
    return _send(request, handle, kind="units", filename=title, count=count, full=False,
                 filters=_describe(form) if form.is_bound else "")
