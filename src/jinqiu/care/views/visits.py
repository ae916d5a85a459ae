"""Pages of care: a person's care page, recording a visit on a phone, the visits, their photos, hospital
stays. Scope first (404), then the role (403); health details and money only for roles with care duties."""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.core.files.storage import default_storage
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jinqiu.accounts.scoping import get_visible_or_404, visible_persons
from jinqiu.core import idempotency, xlsx
from jinqiu.core.web import apply_service, paginate, require
from jinqiu.people.models import Person, PersonStatus
from jinqiu.people.selectors import search_q
from jinqiu.regions.models import Region

from .. import forms, selectors, services
from ..models import Device, Hospitalisation, TaskStatus, Visit, VisitTask
from ..permissions import VISIT_ROLES, has_care_duties, may_manage, may_visit
from .tasks import footer, log_export, send_xlsx, users_who_see


def _person(request, pk: int) -> Person:
    person = get_visible_or_404(visible_persons(request.user).select_related("region"), pk=pk)
    require(request.user.is_staff_user)
    return person


def person_care(request, pk: int):
    """Everything care knows of one person: open tasks, visits, hospital stays, requests, terminals."""
    person = _person(request, pk)
    health = has_care_duties(request.user)
    today = timezone.localdate()
    tasks = list(VisitTask.objects.filter(person=person, status=TaskStatus.OPEN).select_related("assignee"))
    for task in tasks:
        task.is_overdue = task.due_on < today
    visits = list(Visit.objects.filter(person=person).prefetch_related("visitors").order_by("-visited_at")[:20])
    stays = list(Hospitalisation.objects.filter(person=person)[:20])
    requests = list(selectors.visible_requests(request.user).filter(person=person).order_by("-received_on")[:20])
    devices = list(Device.objects.filter(person=person)) if may_manage(request.user) else []
    return render(request, "care/person_care.html", {
        "person": person, "tasks": tasks, "visits": visits, "stays": stays, "requests": requests,
        "devices": devices, "health": health, "can_visit": may_visit(request.user) and person.status == PersonStatus.ACTIVE,
        "can_edit_stay": health and may_visit(request.user), "can_manage": may_manage(request.user),
    })


def visit_create(request, pk: int):
    """A visit recorded on a phone: it closes the tasks ticked, and a need found becomes a request."""
    person = _person(request, pk)
    require(may_visit(request.user))
    open_tasks = VisitTask.objects.filter(person=person, status=TaskStatus.OPEN).order_by("due_on", "id")
    users = users_who_see(person, roles=VISIT_ROLES, extra=[request.user])
    form = forms.VisitForm(request.POST or None, request.FILES or None, users=users, open_tasks=open_tasks,
                           initial={"visitors": [request.user.pk]})
    if request.method != "POST":
        form.fields["tasks"].initial = [t.pk for t in open_tasks if t.earliest <= timezone.localdate()]
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        token = d.pop("once", "")
        visitors, photos, tasks = d.pop("visitors"), d.pop("photos"), d.pop("tasks", [])
        need = {"category": d.pop("need_category"), "summary": d.pop("need_summary")}
        done = apply_service(form, lambda: idempotency.once(
            user=request.user, scope="care.visit_create", key=token, field="once",
            create=lambda: services.visit_record(
                actor=request.user, fields=d, person=person, visitors=visitors, photos=photos,
                task_ids=[t.pk for t in tasks], need=need if need["summary"].strip() else None)))
        if done is not None:
            if done.replayed:
                messages.info(request, _("This visit had already been saved (the form was sent twice): "
                                         "here it is, once."))
            else:
                messages.success(request, _("The visit has been recorded."))
            return redirect("care:visit", pk=done.object_id)
    return render(request, "care/visit_form.html", {
        "form": form, "person": person, "title": _("Record a visit to %(name)s") % {"name": person.name},
        "submit": _("Save the visit")})


def hospital_create(request, pk: int):
    person = _person(request, pk)
    require(may_visit(request.user))
    form = forms.HospitalForm(request.POST or None, health=has_care_duties(request.user))
    if request.method == "POST" and form.is_valid():
        if apply_service(form, lambda: services.hospitalisation_record(actor=request.user, person=person,
                                                                       fields=form.cleaned_data)):
            messages.success(request, _("The hospital stay has been recorded; a visit task was made."))
            return redirect("care:person", pk=pk)
    return render(request, "care/hospital_form.html", {
        "form": form, "person": person, "title": _("Record a hospital stay of %(name)s") % {"name": person.name},
        "submit": _("Save"), "cancel_url": reverse("care:person", kwargs={"pk": pk})})


def hospital_edit(request, pk: int):
    """A stay's details are health data: only roles with care duties open them."""
    stay = get_visible_or_404(Hospitalisation.objects.filter(person__in=visible_persons(request.user).values("pk"))
                              .select_related("person"), pk=pk)
    require(has_care_duties(request.user) and may_visit(request.user))
    form = forms.HospitalForm(request.POST or None, instance=stay, editing=True)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        stay = Hospitalisation.objects.get(pk=pk)  # the form changed the instance in memory; the service saves
        if apply_service(form, lambda: services.hospitalisation_update(actor=request.user, stay=stay,
                                                                       fields=fields)):
            messages.success(request, _("Changes saved."))
            return redirect("care:person", pk=stay.person_id)
    return render(request, "care/hospital_form.html", {
        "form": form, "person": stay.person, "submit": _("Save"),
        "cancel_url": reverse("care:person", kwargs={"pk": stay.person_id}),
        "title": _("Hospital stay of %(name)s from %(day)s") % {"name": stay.person.name,
                                                               "day": stay.admitted_on.isoformat()}})


# Visits ---------------------------------------------------------------------------------------------------

def _filtered_visits(request):
    form = forms.VisitFilterForm(request.GET)
    qs = selectors.visible_visits(request.user).filter(person__isnull=False)
    if form.is_valid():
        d = form.cleaned_data
        if d["q"]:
            qs = qs.filter(person__in=Person.objects.filter(search_q(d["q"])).values("pk"))
        if d["kind"]:
            qs = qs.filter(kind=d["kind"])
        if d["since"]:
            qs = qs.filter(visited_on__gte=d["since"])
        if d["until"]:
            qs = qs.filter(visited_on__lte=d["until"])
        if d["region"]:
            region: Region = d["region"]
            qs = qs.filter(person__region__path__startswith=region.path)
        if d["mine"]:
            qs = qs.filter(Q(visitors=request.user) | Q(recorded_by=request.user)).distinct()
    return form, qs.select_related("person__region").prefetch_related("visitors").order_by("-visited_at", "-id")


def visit_list(request):
    require(request.user.is_staff_user)
    form, qs = _filtered_visits(request)
    page = paginate(request, qs)
    return render(request, "care/visit_list.html", {"form": form, "page": page, "total": page.paginator.count,
                                                    "money": has_care_duties(request.user)})


def visit_export(request):
    require(request.user.is_staff_user)
    form, qs = _filtered_visits(request)
    money = has_care_duties(request.user)
    with translation.override("zh-hans"):
        title = _("Visits")
        headers = [_("Full name"), _("Community"), _("Date and time"), _("Kind"), _("Place"), _("Visitors"),
                   _("Gifts")] + ([_("Money given (yuan)")] if money else [])
        ws = xlsx.SheetWriter(title, (12, 16, 18, 10, 20, 24, 20, 12))
        ws.title(title, len(headers))
        ws.append(headers, bold=True)
        count = 0
        for visit in qs.iterator(chunk_size=2000):
            names = [str(u) for u in visit.visitors.all()] + ([visit.other_visitors] if visit.other_visitors else [])
            ws.append([visit.person.name, visit.person.region.name if visit.person.region_id else "",
                       timezone.localtime(visit.visited_at).strftime("%Y-%m-%d %H:%M"), visit.get_kind_display(),
                       visit.place, "、".join(names), visit.gifts] + ([visit.money] if money else []))
            count += 1
        ws.append([_("Total rows: %(n)s") % {"n": count}], bold=True)
        ws.footer(footer(request))
        log_export(request, _("Visits, %(n)s rows") % {"n": count})
    return send_xlsx(ws, title)


def _visit(request, pk: int) -> Visit:
    visit = get_visible_or_404(selectors.visible_visits(request.user).select_related(
        "person__region", "org", "recorded_by", "campaign"), pk=pk)
    require(request.user.is_staff_user)
    return visit


def visit_detail(request, pk: int):
    visit = _visit(request, pk)
    visitors = list(visit.visitors.all())
    care = has_care_duties(request.user)
    took_part = request.user in visitors or visit.recorded_by_id == request.user.pk
    return render(request, "care/visit_detail.html", {
        "visit": visit, "visitors": visitors, "photos": list(visit.photos.all()),
        "tasks": list(visit.tasks.all()), "requests": list(visit.requests.all()),
        "money": care, "findings": care or took_part,
    })


def visit_photo(request, pk: int, photo_pk: int):
    """A photo of a visit the user sees, read through the storage API (never a public media URL)."""
    visit = _visit(request, pk)
    photo = get_visible_or_404(visit.photos.all(), pk=photo_pk)
    if not photo.file.name or not default_storage.exists(photo.file.name):
        raise Http404
    content_type = mimetypes.guess_type(photo.name)[0] or "application/octet-stream"
    if not content_type.startswith("image/"):
        content_type = "application/octet-stream"
    response = FileResponse(default_storage.open(photo.file.name, "rb"), content_type=content_type,
                            filename=photo.name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
