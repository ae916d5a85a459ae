"""Thin views of organisational life: overview, calendar, meetings, one-tap attendance, 送学上门, rules."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jinqiu.accounts.scoping import get_visible_or_404, visible_orgs, visible_persons
from jinqiu.core.web import apply_service, is_htmx, require

from . import compliance, exports, forms, selectors, services
from .models import Attendance, FrequencyRule, MeetingType
from .permissions import can_edit_rules, can_record


def _year(request) -> int:
    form = forms.YearForm(request.GET)
    return (form.is_valid() and form.cleaned_data["year"]) or timezone.localdate().year


def _subtree(request):
    """The user's organisations, or the subtree of one of them chosen with ?org=."""
    orgs = visible_orgs(request.user)
    root = None
    if request.GET.get("org"):
        root = get_visible_or_404(orgs, pk=request.GET["org"])
        orgs = orgs.filter(path__startswith=root.path)
    return orgs, root


def overview(request):
    """The subtree's compliance rate and the organisations behind, most overdue first."""
    require(request.user.is_staff_user)
    orgs, root = _subtree(request)
    result, rate = compliance.subtree_summary(orgs)
    return render(request, "orglife/overview.html", {
        "root": root, "result": compliance.Totals.of(result), "rate": rate,
        "page": _page_of(request, result.behind), "can_record": can_record(request.user),
    })


def _page_of(request, rows: list, per_page: int = 50) -> Page:
    """A page of a list, holding only that page's rows (the totals and the page are all the template keeps)."""
    paginator = Paginator(range(len(rows)), per_page)
    numbers = paginator.get_page(request.GET.get("page"))
    return Page(rows[numbers.start_index() - 1:numbers.end_index()], numbers.number, paginator)


def overview_export(request):
    require(request.user.is_staff_user)
    orgs, _root = _subtree(request)
    return exports.behind_workbook(compliance.subtree_summary(orgs)[0])


def calendar(request, pk: int):
    require(request.user.is_staff_user)
    org = get_visible_or_404(visible_orgs(request.user), pk=pk)
    year = _year(request)
    first, last = date(year, 1, 1), date(year, 12, 31)
    return render(request, "orglife/calendar.html", {
        "org": org, "year": year, "rows": compliance.org_calendar(org, year),
        "meetings": selectors.meetings_of(org, first, last), "rate": selectors.org_rate(org, first, last),
        "can_record": can_record(request.user) and org.is_active, "years": range(year - 2, year + 2),
    })


def _meeting(request, pk: int):
    require(request.user.is_staff_user)
    return get_visible_or_404(selectors.visible_meetings(request.user).select_related("org", "meeting_type"), pk=pk)


def meeting_create(request, pk: int):
    require(can_record(request.user))
    orgs = visible_orgs(request.user)
    org = get_visible_or_404(orgs, pk=pk)
    plan = request.GET.get("plan") == "1"
    form = forms.MeetingForm(request.POST or None, org=org, orgs=orgs)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        joint = d.pop("joint", [])
        meeting = apply_service(form, lambda: services.meeting_create(actor=request.user, org=org, fields=d,
                                                                      held=not plan, joint_orgs=joint))
        if meeting is not None:
            messages.success(request, _("The meeting has been planned.") if plan else _("The meeting has been recorded."))
            return redirect("orglife:meeting", pk=meeting.pk)
    title = _("Plan a meeting of %(org)s") if plan else _("Record a meeting of %(org)s")
    return render(request, "form_page.html", {"form": form, "title": title % {"org": org.name}, "org": org,
                                              "submit": _("Save")})


def meeting_detail(request, pk: int):
    meeting = _meeting(request, pk)
    return render(request, "orglife/meeting.html", {
        "meeting": meeting, "rows": selectors.attendance_list(meeting), "rate": selectors.meeting_rate(meeting),
        "orgs": meeting.counts_for.order_by("path"), "files": meeting.files.all(),
        "reopenings": meeting.reopenings.select_related("reopened_by"),
        "can_record": can_record(request.user), "statuses": forms.AttendanceForm.base_fields["status"].choices,
    })


def meeting_edit(request, pk: int):
    require(can_record(request.user))
    meeting = _meeting(request, pk)
    orgs = visible_orgs(request.user)
    form = forms.MeetingForm(request.POST or None, instance=meeting, org=meeting.org, orgs=orgs,
                             initial={"joint": meeting.counts_for.exclude(pk=meeting.org_id)})
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        joint = d.pop("joint", None)
        if apply_service(form, lambda: services.meeting_update(actor=request.user, meeting=meeting, fields=d,
                                                               joint_orgs=joint)):
            messages.success(request, _("Changes saved."))
            return redirect("orglife:meeting", pk=pk)
    return render(request, "form_page.html", {"form": form, "title": _("Edit the meeting"), "org": meeting.org,
                                              "submit": _("Save")})


def meeting_hold(request, pk: int):
    require(can_record(request.user))
    meeting = _meeting(request, pk)
    form = forms.HoldForm(request.POST or None, instance=meeting)
    if request.method == "POST" and form.is_valid():
        if apply_service(form, lambda: services.meeting_hold(actor=request.user, meeting=meeting,
                                                             fields=form.cleaned_data)):
            messages.success(request, _("The meeting has been recorded; now mark the attendance."))
            return redirect("orglife:meeting", pk=pk)
    return render(request, "form_page.html", {"form": form, "title": _("Record the meeting as held"),
                                              "org": meeting.org, "submit": _("Save")})


def meeting_reopen(request, pk: int):
    """Set a held meeting back to planned, after a page that says what it undoes and asks why."""
    require(can_record(request.user))
    meeting = _meeting(request, pk)
    form = forms.ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if apply_service(form, lambda: services.meeting_reopen(actor=request.user, meeting=meeting,
                                                               reason=form.cleaned_data["reason"])):
            messages.success(request, _("The meeting has been reopened: it is planned again."))
            return redirect("orglife:meeting", pk=pk)
    return render(request, "orglife/reopen.html", {"form": form, "meeting": meeting,
                                                   "rate": selectors.meeting_rate(meeting)})


@require_POST
def meeting_cancel(request, pk: int):
    require(can_record(request.user))
    meeting = _meeting(request, pk)
    form = forms.YearForm({})
    if apply_service(form, lambda: services.meeting_cancel(actor=request.user, meeting=meeting)):
        messages.success(request, _("The meeting has been cancelled."))
    else:
        messages.error(request, " ".join(form.non_field_errors()))
    return redirect("orglife:meeting", pk=pk)


def _attendance(request, pk: int) -> Attendance:
    require(can_record(request.user))
    meetings = selectors.visible_meetings(request.user)
    return get_visible_or_404(Attendance.objects.filter(meeting__in=meetings).select_related("person", "meeting"),
                              pk=pk)


@require_POST
def attendance_set(request, pk: int):
    """One tap: 出席, 请假 (with a reason), 缺席, 线上."""
    row = _attendance(request, pk)
    form = forms.AttendanceForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        apply_service(form, lambda: services.attendance_set(actor=request.user, attendance=row, status=d["status"],
                                                            reason=d["reason"]))
    row = selectors.attendance_list(row.meeting).get(pk=row.pk)
    if is_htmx(request):
        return render(request, "orglife/_attendance_row.html", {
            "row": row, "form": form, "can_record": True, "meeting": row.meeting,
            "statuses": forms.AttendanceForm.base_fields["status"].choices})
    for error in form.errors.values():
        messages.error(request, f"{row.person.name}: {' '.join(error)}")
    return redirect("orglife:meeting", pk=row.meeting_id)


@require_POST
def attendance_all(request, pk: int):
    require(can_record(request.user))
    meeting = _meeting(request, pk)
    form = forms.YearForm({})
    n = apply_service(form, lambda: services.attendance_all_present(actor=request.user, meeting=meeting))
    if n is not None:
        messages.success(request, _("%(n)d members marked present.") % {"n": n})
    else:
        messages.error(request, " ".join(form.non_field_errors()))
    return redirect("orglife:meeting", pk=pk)


def makeup_create(request, pk: int):
    """送学上门 for one member who missed the meeting."""
    row = _attendance(request, pk)
    form = forms.MakeUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if apply_service(form, lambda: services.makeup_record(actor=request.user, attendance=row, **d)):
            messages.success(request, _("The delivery to %(name)s has been recorded.") % {"name": row.person.name})
            return redirect("orglife:meeting", pk=row.meeting_id)
    return render(request, "form_page.html", {
        "form": form, "title": _("Study delivered at home to %(name)s") % {"name": row.person.name},
        "submit": _("Save")})


def file_add(request, pk: int):
    require(can_record(request.user))
    meeting = _meeting(request, pk)
    form = forms.FileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if apply_service(form, lambda: services.meeting_file_add(actor=request.user, meeting=meeting,
                                                                 upload=d["file"], kind=d["kind"])):
            messages.success(request, _("The file has been added."))
            return redirect("orglife:meeting", pk=pk)
    return render(request, "orglife/file_form.html", {"form": form, "meeting": meeting})


def file_download(request, pk: int, file_pk: int):
    meeting = _meeting(request, pk)
    item = get_visible_or_404(meeting.files.all(), pk=file_pk)
    response = HttpResponse(item.file.open("rb").read(), content_type="application/octet-stream")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{exports.quote(item.name)}"
    return response


def rules(request):
    require(request.user.is_staff_user)
    return render(request, "orglife/rules.html", {
        "types": MeetingType.objects.all(),
        "rules": FrequencyRule.objects.select_related("meeting_type"),
        "can_edit": can_edit_rules(request.user),
    })


def rule_edit(request, pk: int):
    require(can_edit_rules(request.user))
    rule = get_visible_or_404(FrequencyRule.objects.select_related("meeting_type"), pk=pk)
    form = forms.RuleForm.for_rule(rule, request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if apply_service(form, lambda: services.rule_update(actor=request.user, rule=rule, period=d["period"],
                                                            is_active=d["is_active"])):
            messages.success(request, _("Changes saved."))
            return redirect("orglife:rules")
    return render(request, "form_page.html", {"form": form, "title": str(rule), "submit": _("Save")})


def person_attendance(request, pk: int):
    """One person's attendance across every organisation that expects them."""
    require(request.user.is_staff_user)
    person = get_visible_or_404(visible_persons(request.user), pk=pk)
    orgs = visible_orgs(request.user)
    return render(request, "orglife/person.html", {
        "person": person, "rates": selectors.person_rates(person.pk, orgs),
        "total": selectors.person_total(person.pk, orgs),
        "recent": Attendance.objects.filter(person=person, meeting__org__in=orgs)
        .select_related("meeting__meeting_type", "org", "makeup").order_by("-held_on")[:30],
    })


def book_docx(request, pk: int):
    require(request.user.is_staff_user)
    org = get_visible_or_404(visible_orgs(request.user), pk=pk)
    return exports.record_book_docx(org, _year(request))


def book_xlsx(request, pk: int):
    require(request.user.is_staff_user)
    org = get_visible_or_404(visible_orgs(request.user), pk=pk)
    return exports.record_book_xlsx(org, _year(request))


