"""Requests (诉求): the list (urgent first, overdue marked) and its export, a request received from a person,
and one request's page with its deadlines, its history and the moves that are open."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jinqiu.accounts.models import AccessAction
from jinqiu.accounts.scoping import get_visible_or_404, visible_persons
from jinqiu.accounts.services import access_log_record
from jinqiu.core import idempotency
from jinqiu.core.web import apply_service, client_ip, paginate, require
from jinqiu.core.xlsx import XLSX_TYPE, Footer
from jinqiu.people.exports import write_table

from .. import selectors, services
from ..forms_campaigns import (
    AssigneeForm,
    FollowUpForm,
    OutcomeForm,
    ReasonForm,
    RequestFilterForm,
    RequestForm,
)
from ..models import Request, RequestSource, RequestStatus
from ..permissions import may_manage, may_visit

ACTIONS = ("accept", "reject", "assign", "start", "extend", "conclude", "follow_up")


def _filters(request) -> tuple[RequestFilterForm, selectors.RequestFilters]:
    form = RequestFilterForm(request.GET or None)
    if not form.is_bound:
        return form, selectors.RequestFilters()
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return form, selectors.RequestFilters()
    d = form.cleaned_data
    state = d["state"] or "open"
    return form, selectors.RequestFilters(state="" if state == "all" else state, source=d["source"],
                                          category=d["category"], mine=d["mine"], q=d["q"].strip())


def request_list(request):
    require(request.user.is_staff_user)
    form, filters = _filters(request)
    qs = selectors.filter_requests(selectors.visible_requests(request.user), filters, request.user)
    page = paginate(request, qs, 50, count_from_first_page=bool(filters.q))
    today = timezone.localdate()
    overdue = set(Request.objects.filter(selectors.request_overdue_q(today), pk__in=[r.pk for r in page])
                  .values_list("pk", flat=True))
    for r in page:
        r.overdue = r.pk in overdue
    return render(request, "care/request_list.html", {"form": form, "page": page,
                                                      "query": request.GET.urlencode()})


def _export_rows(qs, overdue_ids):
    def day(d):
        return d.strftime("%Y-%m-%d") if d else ""

    for r in qs.iterator(chunk_size=2000):
        yield [r.person.name, r.person.region.name if r.person.region_id else "", r.get_source_display(),
               r.get_category_display(), _("Yes") if r.urgent else "", r.summary, day(r.received_on),
               r.get_status_display(), str(r.assignee) if r.assignee_id else "", day(r.deadline),
               _("Overdue") if r.pk in overdue_ids else "", day(r.concluded_on), r.get_satisfaction_display()]


def request_export(request):
    require(request.user.is_staff_user)
    form, filters = _filters(request)
    qs = selectors.filter_requests(selectors.visible_requests(request.user), filters, request.user)
    overdue_ids = set(qs.filter(selectors.request_overdue_q(timezone.localdate())).values_list("pk", flat=True))
    with translation.override("zh-hans"):
        title = _("Requests")
        headers = [_("Person"), _("Community"), _("Source"), _("Category"), _("Urgent"), _("What is asked"),
                   _("Received on"), _("Status"), _("Handled by"), _("Conclude by"), _("Overdue"),
                   _("Concluded on"), _("Satisfaction")]
        handle, count = write_table(title=title, headers=headers, rows=_export_rows(qs, overdue_ids),
                                    footer=Footer(exported_by=str(request.user), exported_at=timezone.now()),
                                    widths=[10, 14, 14, 14, 6, 40, 12, 12, 10, 12, 8, 12, 10])
        detail = _("Requests, %(n)d rows") % {"n": count}
    access_log_record(actor=request.user, action=AccessAction.EXPORT, reason="", detail=detail,
                      ip_address=client_ip(request))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = FileResponse(handle, as_attachment=True, filename=f"{title}-{stamp}.xlsx", content_type=XLSX_TYPE)
    response["Cache-Control"] = "no-store"
    return response


def request_create(request, pk: int):
    person = get_visible_or_404(visible_persons(request.user), pk=pk)
    require(may_visit(request.user))
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        token = d.pop("once", "")
        done = apply_service(form, lambda: idempotency.once(
            user=request.user, scope="care.request_create", key=token, field="once",
            create=lambda: services.request_create(actor=request.user, person=person, fields=d)))
        if done is not None:
            if done.replayed:
                messages.info(request, _("This request had already been saved (the form was sent twice): "
                                         "here it is, once."))
            else:
                messages.success(request, _("The request has been recorded."))
            return redirect("care:request", pk=done.object_id)
    return render(request, "care/request_form.html", {
        "form": form, "title": _("A request from %(name)s") % {"name": person.name}, "submit": _("Save"),
        "cancel_url": reverse("care:person", kwargs={"pk": person.pk})})


def _request(request, pk: int) -> Request:
    """Scope first (404), then the role (403)."""
    found = get_visible_or_404(selectors.visible_requests(request.user)
                               .select_related("person__region", "assignee", "recorded_by", "device", "visit"),
                               pk=pk)
    require(request.user.is_staff_user)
    return found


def _moves(r: Request) -> set[str]:
    """The moves open for the request in its status (the services check them again)."""
    moves = set()
    if r.status == RequestStatus.RECEIVED:
        moves |= {"accept", "reject"}
    if r.status in (RequestStatus.ACCEPTED, RequestStatus.IN_PROGRESS):
        moves |= {"assign", "conclude"}
        if r.source == RequestSource.PETITION and not r.extended:
            moves.add("extend")
    if r.status == RequestStatus.ACCEPTED:
        moves.add("start")
    if r.status == RequestStatus.CONCLUDED:
        moves.add("follow_up")
    return moves


def request_detail(request, pk: int):
    r = _request(request, pk)
    history = (LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Request), object_pk=str(pk))
               .select_related("actor").order_by("-timestamp")[:50])
    can_manage = may_manage(request.user)
    today = timezone.localdate()
    return render(request, "care/request_detail.html", {
        "r": r, "history": history, "moves": _moves(r) if can_manage else set(),
        "overdue": Request.objects.filter(selectors.request_overdue_q(today), pk=r.pk).exists(),
        "assign_form": AssigneeForm(user=request.user, initial={"assignee": r.assignee_id}) if can_manage else None,
        "follow_form": FollowUpForm(), "outcome_form": OutcomeForm(), "reason_form": ReasonForm(),
    })


DONE = {
    "accept": gettext_lazy("The request has been accepted."),
    "reject": gettext_lazy("The request has been marked not accepted."),
    "assign": gettext_lazy("The request has been assigned."),
    "start": gettext_lazy("The request is being handled."),
    "extend": gettext_lazy("The deadline has been extended."),
    "conclude": gettext_lazy("The request has been concluded."),
    "follow_up": gettext_lazy("The follow-up has been recorded."),
}


def _act(request, r: Request, action: str):
    user = request.user
    if action == "accept":
        return services.request_accept(actor=user, request=r)
    if action == "reject":
        return services.request_reject(actor=user, request=r, reason=request.POST.get("reason", ""))
    if action == "start":
        return services.request_start(actor=user, request=r)
    if action == "extend":
        return services.request_extend(actor=user, request=r, reason=request.POST.get("reason", ""))
    if action == "conclude":
        return services.request_conclude(actor=user, request=r, outcome=request.POST.get("outcome", ""))
    if action == "follow_up":
        return services.request_follow_up(actor=user, request=r, satisfaction=request.POST.get("satisfaction", ""))
    form = AssigneeForm(request.POST, user=user)
    if not form.is_valid():
        raise ValidationError(_("Choose who handles the request."))
    return services.request_assign(actor=user, request=r, assignee=form.cleaned_data["assignee"])


@require_POST
def request_act(request, pk: int, action: str):
    """One move (accept, reject, assign, start, extend, conclude, follow_up); a refused move says why."""
    r = _request(request, pk)
    require(may_manage(request.user))
    if action not in ACTIONS:
        raise Http404
    try:
        _act(request, r, action)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, DONE[action])
    return redirect("care:request", pk=pk)
