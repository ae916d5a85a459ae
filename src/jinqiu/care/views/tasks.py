"""Pages of care: the 六必访 task list (the care landing page), a task, exempt and assign, the rules, and the
persons of a special group without a pair contact. Scope first (404), then the role (403)."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jinqiu.accounts.models import AccessAction, Pairing, Role, User
from jinqiu.accounts.scoping import get_visible_or_404, visible_persons
from jinqiu.accounts.services import access_log_record
from jinqiu.core import xlsx
from jinqiu.core.web import apply_service, client_ip, paginate, require
from jinqiu.people.models import Health, Living, RetirementType

from .. import forms, selectors, services
from ..models import CareRule, TaskStatus, VisitTask
from ..permissions import ASSIGNABLE_ROLES, has_care_duties, may_edit_rules, may_manage, may_visit
from ..services.tasks import responsible_users


def users_who_see(person, *, roles=ASSIGNABLE_ROLES, extra=()) -> list:
    """Active users of `roles` whose scope reaches the person: those responsible for its region or
    organisation, and its pair contacts (each checked against the one scope function)."""
    found: dict[int, User] = {}
    for role in roles & {Role.BUREAU, Role.STREET, Role.SECRETARY}:
        for user in responsible_users(person, role):
            found.setdefault(user.pk, user)
    if Role.PAIR_CONTACT in roles:
        for pairing in Pairing.objects.filter(person=person, ended_on__isnull=True,
                                              contact__is_active=True).select_related("contact"):
            found.setdefault(pairing.contact_id, pairing.contact)
    for user in extra:
        if user.is_authenticated:
            found.setdefault(user.pk, user)
    return [u for u in found.values() if u.is_active and u.role_set & roles and not u.is_admin_role
            and visible_persons(u).filter(pk=person.pk).exists()]


def log_export(request, detail: str) -> None:
    with translation.override("zh-hans"):  # the log reads the same whoever exported
        detail = str(detail)
    access_log_record(actor=request.user, action=AccessAction.EXPORT, reason="", detail=detail,
                      ip_address=client_ip(request))


def send_xlsx(writer: xlsx.SheetWriter, filename: str) -> FileResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = FileResponse(writer.save(), as_attachment=True, filename=f"{filename}-{stamp}.xlsx",
                            content_type=xlsx.XLSX_TYPE)
    response["Cache-Control"] = "no-store"
    return response


def footer(request) -> xlsx.Footer:
    return xlsx.Footer(exported_by=str(request.user), exported_at=timezone.now())


# Tasks ----------------------------------------------------------------------------------------------------

def _task_filters(request) -> tuple[forms.TaskFilterForm, selectors.TaskFilters]:
    form = forms.TaskFilterForm(request.GET)
    if not form.is_valid():
        return form, selectors.TaskFilters()
    d = form.cleaned_data
    return form, selectors.TaskFilters(state=d["state"] or "open", kind=d["kind"], mine=d["mine"], q=d["q"],
                                       region=d["region"].pk if d["region"] else None)


def _filtered_tasks(request):
    form, filters = _task_filters(request)
    qs = selectors.filter_tasks(selectors.visible_tasks(request.user), filters, request.user)
    return form, filters, qs


def task_list(request):
    """六必访 tasks in the user's scope, due first: the landing page of care."""
    require(request.user.is_staff_user)
    form, filters, qs = _filtered_tasks(request)
    page = paginate(request, qs, count_from_first_page=bool(filters.q))
    today = timezone.localdate()
    for task in page:
        task.is_overdue = task.status == TaskStatus.OPEN and task.due_on < today
    return render(request, "care/task_list.html", {
        "form": form, "page": page, "total": page.paginator.count, "filters": filters,
        "can_visit": may_visit(request.user)})


def task_export(request):
    require(request.user.is_staff_user)
    form, filters, qs = _filtered_tasks(request)
    today = timezone.localdate()
    with translation.override("zh-hans"):
        title = _("Visit tasks")
        ws = xlsx.SheetWriter(title, (12, 16, 20, 12, 12, 12, 12, 14))
        headers = [_("Full name"), _("Community"), _("Occasion"), _("From"), _("Due by"), _("Status"),
                   _("Overdue"), _("Assigned to")]
        ws.title(title, len(headers))
        ws.append(headers, bold=True)
        count = 0
        for task in qs.iterator(chunk_size=2000):
            overdue = task.status == TaskStatus.OPEN and task.due_on < today
            ws.append([task.person.name, task.person.region.name if task.person.region_id else "", task.title,
                       task.earliest, task.due_on, task.get_status_display(), _("Yes") if overdue else "",
                       str(task.assignee) if task.assignee_id else ""])
            count += 1
        ws.append([_("Total rows: %(n)s") % {"n": count}], bold=True)
        ws.footer(footer(request))
        log_export(request, _("Visit tasks, %(n)s rows") % {"n": count})
    return send_xlsx(ws, title)


def _task(request, pk: int) -> VisitTask:
    task = get_visible_or_404(selectors.visible_tasks(request.user).select_related(
        "person__region", "assignee", "rule", "visit", "closed_by"), pk=pk)
    require(request.user.is_staff_user)
    return task


def task_detail(request, pk: int):
    task = _task(request, pk)
    manage = may_manage(request.user) and task.status == TaskStatus.OPEN
    return render(request, "care/task_detail.html", {
        "task": task, "overdue": task.status == TaskStatus.OPEN and task.due_on < timezone.localdate(),
        "can_visit": may_visit(request.user) and task.status == TaskStatus.OPEN, "can_manage": manage,
        "exempt_form": forms.ExemptForm() if manage else None,
        "assign_form": forms.AssignForm(users=users_who_see(task.person), initial={"assignee": task.assignee_id})
        if manage else None,
    })


@require_POST
def task_exempt(request, pk: int):
    task = _task(request, pk)
    require(may_manage(request.user))
    form = forms.ExemptForm(request.POST)
    if form.is_valid() and apply_service(form, lambda: services.task_exempt(
            actor=request.user, task=task, reason=form.cleaned_data["reason"])):
        messages.success(request, _("The visit has been exempted."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("care:task", pk=pk)


@require_POST
def task_assign(request, pk: int):
    task = _task(request, pk)
    require(may_manage(request.user))
    form = forms.AssignForm(request.POST, users=users_who_see(task.person))
    if form.is_valid() and apply_service(form, lambda: services.task_assign(
            actor=request.user, task=task, assignee=form.cleaned_data["assignee"])):
        messages.success(request, _("The visit has been assigned."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("care:task", pk=pk)


# Rules ----------------------------------------------------------------------------------------------------

def _rules(request):
    """The rules are reference data every staff role reads; anyone else sees none of them."""
    services.ensure_rules()
    return CareRule.objects.all() if request.user.is_staff_user else CareRule.objects.none()


def rule_list(request):
    require(request.user.is_staff_user)
    return render(request, "care/rule_list.html", {"rules": _rules(request),
                                                   "can_edit": may_edit_rules(request.user)})


def rule_edit(request, pk: int):
    rule = get_visible_or_404(_rules(request), pk=pk)
    require(may_edit_rules(request.user))
    form = forms.RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.fields}
        rule = CareRule.objects.get(pk=pk)  # the form changed the instance in memory; the service saves
        if apply_service(form, lambda: services.rule_update(actor=request.user, rule=rule, fields=fields)):
            messages.success(request, _("Changes saved."))
            return redirect("care:rules")
    return render(request, "form_page.html", {
        "form": form, "title": _("Visit rule: %(kind)s") % {"kind": rule.get_kind_display()},
        "submit": _("Save"), "cancel_url": "../"})


# Persons in a special group without a pair contact -------------------------------------------------------

def _groups(person, today, health: bool) -> list[str]:
    """Why a person must have a pair contact, in words (卧床/失能 are health details: care duties only)."""
    found = []
    if person.living in (Living.ALONE, Living.EMPTY_NEST):
        found.append(person.get_living_display())
    if health and person.health in (Health.BEDRIDDEN, Health.DISABLED):
        found.append(person.get_health_display())
    if person.hardship:
        found.append(_("In hardship"))
    if person.retirement_type == RetirementType.LIXIU:
        found.append(person.get_retirement_type_display())
    if person.birth_date and services.tasks._age_on(person.birth_date, today) >= selectors.SENIOR_AGE:
        found.append(_("Aged 90 or over"))
    return found


def unpaired(request):
    require(request.user.is_staff_user)
    page = paginate(request, selectors.unpaired_special(request.user))
    today, health = timezone.localdate(), has_care_duties(request.user)
    for person in page:
        person.groups = _groups(person, today, health)
    return render(request, "care/unpaired.html", {"page": page, "total": page.paginator.count,
                                                  "can_pair": may_manage(request.user)})


def unpaired_export(request):
    require(request.user.is_staff_user)
    today, health = timezone.localdate(), has_care_duties(request.user)
    with translation.override("zh-hans"):
        title = _("Special groups without a pair contact")
        ws = xlsx.SheetWriter(title, (12, 20, 12, 30))
        headers = [_("Full name"), _("Community"), _("Born"), _("Special group")]
        ws.title(title, len(headers))
        ws.append(headers, bold=True)
        count = 0
        for person in selectors.unpaired_special(request.user).iterator(chunk_size=2000):
            ws.append([person.name, person.region.name if person.region_id else "",
                       person.birth_date.strftime("%Y-%m") if person.birth_date else "",
                       "、".join(str(g) for g in _groups(person, today, health))])
            count += 1
        ws.append([_("Total rows: %(n)s") % {"n": count}], bold=True)
        ws.footer(footer(request))
        log_export(request, _("Special groups without a pair contact, %(n)s rows") % {"n": count})
    return send_xlsx(ws, title)
