"""Thin views of organisational life: overview, calendar, meetings, one-tap attendance, 送学上门, rules."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jinqiu.accounts.models import AccessAction
from jinqiu.accounts.scoping import get_visible_or_404, visible_orgs, visible_persons
from jinqiu.accounts.services import access_log_record
from jinqiu.core import idempotency
from jinqiu.core.web import apply_service, client_ip, is_htmx, require
from jinqiu.organizations.selectors import with_path_labels

from . import compliance, exports, forms, selectors, services
from .models import Attendance, FrequencyRule, MeetingType
from .permissions import can_edit_rules, can_record


def _year(request) -> tuple[int, str | None]:
    """The year asked for with ?year= (this year if none), and why it was refused, in words, if it was."""
    form = forms.YearForm(request.GET)
    if not form.is_valid():
        return timezone.localdate().year, " ".join(form.errors["year"])
    return form.cleaned_data["year"] or timezone.localdate().year, None


def _subtree(request):
    """The user's organisations, or the subtree of one of them chosen with ?org=."""
    orgs = visible_orgs(request.user)
    root = None
    form = forms.OrgFilterForm(request.GET)
    if request.GET.get("org"):
        root = get_visible_or_404(orgs, pk=form.cleaned_data["org"] if form.is_valid() else 0)
        orgs = orgs.filter(path__startswith=root.path)
    return orgs, root


def _log_export(request, detail: str) -> None:
    access_log_record(actor=request.user, action=AccessAction.EXPORT, reason="", detail=detail,
                      ip_address=client_ip(request))


def overview(request):
    """The subtree's compliance rate and the organisations behind, most overdue first."""
    require(request.user.is_staff_user)
    orgs, root = _subtree(request)
    result, rate = compliance.subtree_summary(orgs)
    page = _page_of(request, result.behind)
    return render(request, "orglife/overview.html", {
        "root": root, "result": compliance.Totals.of(result), "rate": rate,
        "page": page, "rows": _labelled(page), "can_record": can_record(request.user),
    })


def _labelled(page) -> list[tuple]:
    """The page's rows, each with its organisation's name and parents (there are dozens of 第一党小组): one
    query for the page, whatever its length (compliance read each organisation's path and depth)."""
    labels = {org.pk: org.path_label for org in with_path_labels([oc.org for oc in page])}
    return [(oc, labels.get(oc.org_id, oc.name)) for oc in page]


def _page_of(request, rows: list, per_page: int = 50) -> Page:
    """A page of a list, holding only that page's rows (the totals and the page are all the template keeps)."""
    paginator = Paginator(range(len(rows)), per_page)
    numbers = paginator.get_page(request.GET.get("page"))
    return Page(rows[numbers.start_index() - 1:numbers.end_index()], numbers.number, paginator)


def overview_export(request):
    require(request.user.is_staff_user)
    orgs, root = _subtree(request)
    result = compliance.subtree_summary(orgs)[0]
    _log_export(request, _("Organisations behind in organisational life (%(scope)s), %(n)d organisations") % {
        "scope": root.path_label if root else _("the whole scope"), "n": len(result.behind)})
    return exports.behind_workbook(result)


def calendar(request, pk: int):
    org = get_visible_or_404(visible_orgs(request.user), pk=pk)
    require(request.user.is_staff_user)
    year, error = _year(request)
    if error:
        messages.error(request, error)
    first, last = date(year, 1, 1), date(year, 12, 31)
    meetings = list(selectors.meetings_of(org, first, last))
    with_path_labels([org] + [m.org for m in meetings if m.org_id != org.pk])  # joint hosts: with their parents
    return render(request, "orglife/calendar.html", {
        "org": org, "year": year, "rows": compliance.org_calendar(org, year),
        "meetings": meetings, "rate": selectors.org_rate(org, first, last),
        "can_record": can_record(request.user) and org.is_active, "years": range(year - 2, year + 2),
    })


def _meeting(request, pk: int):
    """Scope first (404), then the role (403)."""
    meeting = get_visible_or_404(selectors.visible_meetings(request.user).select_related("org", "meeting_type"),
                                 pk=pk)
    require(request.user.is_staff_user)
    return meeting


def _hosted(request, pk: int):
    """A meeting the user may change: a recorder who sees its host organisation (a partner of a joint meeting
    records only their own members' attendance)."""
    meeting = _meeting(request, pk)
    require(can_record(request.user) and selectors.hosts(request.user, meeting))
    return meeting


def meeting_create(request, pk: int):
    orgs = visible_orgs(request.user)
    org = get_visible_or_404(orgs, pk=pk)
    require(can_record(request.user))
    plan = request.GET.get("plan") == "1"
    form = forms.MeetingForm(request.POST or None, org=org, orgs=orgs)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        joint = d.pop("joint", [])
        token = d.pop("once", "")
        done = apply_service(form, lambda: idempotency.once(
            user=request.user, scope="orglife.meeting_create", key=token, field="once",
            create=lambda: services.meeting_create(actor=request.user, org=org, fields=d, held=not plan,
                                                   joint_orgs=joint)))
        if done is not None:
            if done.replayed:
                messages.info(request, _("This meeting had already been saved (the form was sent twice): "
                                         "here it is, once."))
            else:
                messages.success(request, _("The meeting has been planned.") if plan
                                 else _("The meeting has been recorded."))
            return redirect("orglife:meeting", pk=done.object_id)
    title = _("Plan a meeting of %(org)s") if plan else _("Record a meeting of %(org)s")
    return render(request, "orglife/meeting_form.html", {"form": form, "title": title % {"org": org.path_label},
                                                         "org": org, "submit": _("Save")})


def _marks(request, rows) -> dict[int, tuple[str, str]]:
    """The attendance page's form: s-<row id> is the status chosen, r-<row id> the reason for leave."""
    return {row.pk: (request.POST.get(f"s-{row.pk}", row.status), request.POST.get(f"r-{row.pk}", ""))
            for row in rows}


def meeting_detail(request, pk: int):
    """The meeting, and its attendance: rows of the persons the user sees, counts for the other organisations.

    POST saves the attendance form in one go (the 保存 button; with scripts each tap is saved at once).
    """
    meeting = _meeting(request, pk)
    rows = selectors.visible_attendance(request.user, meeting)
    errors: list[str] = []
    if request.method == "POST":
        require(can_record(request.user))
        form = forms.YearForm({})
        n = apply_service(form, lambda: services.attendance_record(actor=request.user, meeting=meeting,
                                                                   marks=_marks(request, rows)))
        if n is not None:
            messages.success(request, _("Attendance saved: %(n)d changed.") % {"n": n})
            return redirect("orglife:meeting", pk=pk)
        errors = form.non_field_errors()
    hosted = selectors.hosts(request.user, meeting)
    orgs = with_path_labels(meeting.counts_for.order_by("path"))  # the host is one of them
    labels = {org.pk: org.path_label for org in orgs}
    others = selectors.hidden_counts(request.user, meeting)
    for other in others:
        other.label = labels.get(other.org_id, other.name)  # the name with its parents, for the page
    meeting.org._path_label = labels.get(meeting.org_id)
    return render(request, "orglife/meeting.html", {
        "meeting": meeting, "rows": rows, "rate": selectors.meeting_rate(meeting),
        "others": others, "errors": errors, "orgs": orgs, "files": meeting.files.all(),
        "reopenings": meeting.reopenings.select_related("reopened_by"),
        "can_record": can_record(request.user), "can_change": can_record(request.user) and hosted,
        "statuses": forms.AttendanceForm.base_fields["status"].choices,
    }, status=422 if errors else 200)


def _joint_kept(meeting, orgs, chosen):
    """The partners the user chose, and those they cannot see (they are not the user's to remove)."""
    hidden = meeting.counts_for.exclude(pk=meeting.org_id).exclude(pk__in=orgs.values("pk"))
    return [*chosen, *hidden]


def meeting_edit(request, pk: int):
    meeting = _hosted(request, pk)
    orgs = visible_orgs(request.user)
    form = forms.MeetingForm(request.POST or None, instance=meeting, org=meeting.org, orgs=orgs,
                             initial={"joint": meeting.counts_for.exclude(pk=meeting.org_id)})
    del form.fields["once"]  # an edit done twice is the same edit
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        joint = d.pop("joint", None)
        if joint is not None:
            joint = _joint_kept(meeting, orgs, joint)
        if apply_service(form, lambda: services.meeting_update(actor=request.user, meeting=meeting, fields=d,
                                                               joint_orgs=joint)):
            messages.success(request, _("Changes saved."))
            return redirect("orglife:meeting", pk=pk)
    return render(request, "orglife/meeting_form.html", {"form": form, "title": _("Edit the meeting"),
                                                         "org": meeting.org, "submit": _("Save")})


def meeting_hold(request, pk: int):
    meeting = _hosted(request, pk)
    form = forms.HoldForm(request.POST or None, instance=meeting)
    if request.method == "POST" and form.is_valid():
        if apply_service(form, lambda: services.meeting_hold(actor=request.user, meeting=meeting,
                                                             fields=form.cleaned_data)):
            messages.success(request, _("The meeting has been recorded; now mark the attendance."))
            return redirect("orglife:meeting", pk=pk)
    return render(request, "orglife/meeting_form.html", {"form": form, "title": _("Record the meeting as held"),
                                                         "org": meeting.org, "submit": _("Save")})


def meeting_reopen(request, pk: int):
    """Set a held meeting back to planned, after a page that says what it undoes and asks why."""
    meeting = _hosted(request, pk)
    form = forms.ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if apply_service(form, lambda: services.meeting_reopen(actor=request.user, meeting=meeting,
                                                               reason=form.cleaned_data["reason"])):
            messages.success(request, _("The meeting has been reopened: it is planned again."))
            return redirect("orglife:meeting", pk=pk)
    with_path_labels([meeting.org])
    return render(request, "orglife/reopen.html", {"form": form, "meeting": meeting,
                                                   "rate": selectors.meeting_rate(meeting)})


@require_POST
def meeting_cancel(request, pk: int):
    meeting = _hosted(request, pk)
    form = forms.YearForm({})
    if apply_service(form, lambda: services.meeting_cancel(actor=request.user, meeting=meeting)):
        messages.success(request, _("The meeting has been cancelled."))
    else:
        messages.error(request, " ".join(form.non_field_errors()))
    return redirect("orglife:meeting", pk=pk)


def _attendance(request, pk: int) -> Attendance:
    """A row of a visible meeting for a visible person (anything else is 404), then the role (403)."""
    rows = selectors.attendance_rows(request.user).select_related("person", "meeting")
    row = get_visible_or_404(rows, pk=pk)
    require(can_record(request.user))
    return row


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
    if request.headers.get("Accept") == "application/json":  # the attendance page's script: focus stays put
        if form.errors:
            said = " ".join(e for errors in form.errors.values() for e in errors)
            return JsonResponse({"ok": False, "message": f"{row.person.name}：{said}"}, status=422)
        return JsonResponse({"ok": True, "message": _("%(name)s: %(status)s, saved.") % {
            "name": row.person.name, "status": row.get_status_display()}})
    if is_htmx(request):
        return render(request, "orglife/_attendance_row.html", {
            "row": row, "form": form, "can_record": True, "meeting": row.meeting,
            "statuses": forms.AttendanceForm.base_fields["status"].choices})
    for error in form.errors.values():
        messages.error(request, f"{row.person.name}: {' '.join(error)}")
    return redirect("orglife:meeting", pk=row.meeting_id)


@require_POST
def attendance_all(request, pk: int):
    meeting = _meeting(request, pk)
    require(can_record(request.user))
    form = forms.YearForm({})
    persons = visible_persons(request.user)
    n = apply_service(form, lambda: services.attendance_all_present(actor=request.user, meeting=meeting,
                                                                    persons=persons))
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
    meeting = _hosted(request, pk)
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
    rule = get_visible_or_404(selectors.visible_rules(request.user).select_related("meeting_type"), pk=pk)
    require(can_edit_rules(request.user))
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
    person = get_visible_or_404(visible_persons(request.user), pk=pk)
    require(request.user.is_staff_user)
    orgs = visible_orgs(request.user)
    rates = selectors.person_rates(person.pk, orgs)
    recent = list(Attendance.objects.filter(person=person, meeting__org__in=orgs)
                  .select_related("meeting__meeting_type", "org", "makeup").order_by("-held_on")[:30])
    with_path_labels([org for org, _rate in rates] + [a.org for a in recent])  # one query for all the names
    return render(request, "orglife/person.html", {
        "person": person, "rates": rates, "total": selectors.person_total(person.pk, orgs), "recent": recent,
    })


def _book(request, pk: int, write, kind: str):
    """A record book: only persons the user sees are named in it, and the export is in the access log."""
    org = get_visible_or_404(visible_orgs(request.user), pk=pk)
    require(request.user.is_staff_user)
    year, error = _year(request)
    if error:
        messages.error(request, error)
        return redirect("orglife:calendar", pk=pk)
    book = exports.RecordBook(org, year, persons=visible_persons(request.user))
    _log_export(request, _("Record book of %(org)s for %(year)d (%(kind)s), %(n)d meetings, %(p)d persons named")
                % {"org": org.path_label, "year": year, "kind": kind, "n": len(book.rows), "p": book.persons_named})
    return write(book)


def book_docx(request, pk: int):
    return _book(request, pk, exports.record_book_docx, _("document"))


def book_xlsx(request, pk: int):
    return _book(request, pk, exports.record_book_xlsx, _("spreadsheet"))


