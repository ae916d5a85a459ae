"""Thin views over persons: check scope and role, parse, call a service or selector, render."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jinqiu.accounts import services as account_services
from jinqiu.accounts.models import Pairing, Role
from jinqiu.accounts.scoping import get_visible_or_404, visible_orgs, visible_persons
from jinqiu.core import history as core_history
from jinqiu.core.web import apply_service, client_ip, is_htmx, paginate, require
from jinqiu.organizations.selectors import with_path_labels

from . import forms, selectors, services
from .models import Membership, Person, PersonStatus

# The reason a pair contact's one-tap call is logged with (a record, stored as the seeds write it).
PAIR_CALL_REASON = "结对联系"


def _filters_from(form: forms.PersonFilterForm) -> selectors.PersonFilters | None:
    """The filters of the form; None when one is not valid (an invalid filter never widens to the whole scope)."""
    if form.is_bound and not form.is_valid():
        return None
    data = form.cleaned_data if form.is_bound else {}
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
    if filters is None:
        qs = Person.objects.none()
        errors = forms.filter_errors(form)
    else:
        qs = selectors.filter_persons(visible_persons(request.user), filters)
        errors = []
    page = paginate(request, selectors.with_list_relations(qs.order_by("name", "pk")),
                    count_from_first_page=bool(filters and filters.q))
    context = {"form": form, "page": page, "total": page.paginator.count, "filter_errors": errors,
               "can_place": request.user.has_role(Role.BUREAU)}
    template = "people/_person_rows.html" if is_htmx(request) else "people/person_list.html"
    return render(request, template, context)


def _is_paired(user, person) -> bool:
    return user.has_role(Role.PAIR_CONTACT) and Pairing.objects.filter(
        contact=user, person=person, ended_on__isnull=True).exists()


def _may_reveal(user, person, field: str) -> bool:
    """Reveal roles see any of the three values; a pair contact calls the mobile of a person paired to them.
    The rule itself is enforced again by `accounts.services.person_reveal`."""
    return user.can_reveal or (field == "mobile" and _is_paired(user, person))


def _detail_page(request, person, *, revealed: dict | None = None, reveal_error: str = "", status: int = 200):
    pk = person.pk
    person = selectors.person_detail(visible_persons(request.user), pk)
    history = (LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(person), object_pk=str(pk))
               .select_related("actor").order_by("-timestamp")[:50])
    # The roster imports that created or changed the person (written without auditlog entries), in time order.
    history = core_history.merge(history, core_history.person_imports(pk, viewer=request.user))
    pairings = person.pairings.filter(ended_on__isnull=True).select_related("contact")
    memberships = list(person.memberships.all())
    # Names with their parents (dozens of 第一党小组): one query for the memberships' and offices' organisations.
    with_path_labels([m.org for m in memberships if m.org_id] + [t.org for t in person.officer_terms.all()])
    # A link only where the user can open the page behind it (a pair contact cannot open the branch).
    linked_orgs = set(visible_orgs(request.user).filter(pk__in=[m.org_id for m in memberships if m.org_id])
                      .values_list("pk", flat=True))
    response = render(request, "people/person_detail.html", {
        "person": person, "history": history, "reveal_form": forms.RevealForm(), "pairings": pairings,
        "memberships": memberships, "linked_orgs": linked_orgs, "revealed": revealed or {},
        "reveal_error": reveal_error, "can_call": bool(person.mobile) and not request.user.can_reveal
        and _is_paired(request.user, person), "pair_call_reason": PAIR_CALL_REASON,
    }, status=status)
    if revealed:
        response["Cache-Control"] = "no-store"
    return response


def person_detail(request, pk: int):
    person = get_visible_or_404(visible_persons(request.user), pk=pk)
    require(request.user.is_staff_user)
    return _detail_page(request, person)


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
        # The service refuses an ID number it may not tell about, and a person nobody in scope would see.
        person = apply_service(form, lambda: services.person_create(
            actor=request.user, id_number=data["id_number"],
            fields={k: v for k, v in data.items() if k not in ("id_number", "primary_org", "outside_org_name")},
            org=data.get("primary_org"), outside_org_name=data.get("outside_org_name", "")))
        if person is not None:
            messages.success(request, _("%(name)s has been registered.") % {"name": person.name})
            return redirect("people:detail", pk=person.pk)
    return _action_page(request, form, _("Register a person"))


def _reveal(request, person) -> tuple[str, str | None, str]:
    """(field, clear value or None, error) for a reveal form posted by the user; the service logs it."""
    form = forms.RevealForm(request.POST)
    field = request.POST.get("field", "")
    if not form.is_valid():
        return field, None, _("Give a reason for seeing this value.")
    field = form.cleaned_data["field"]
    try:
        value = account_services.person_reveal(actor=request.user, person=person, field=field,
                                               reason=form.cleaned_data["reason"], ip_address=client_ip(request))
    except ValidationError as exc:
        return field, None, " ".join(exc.messages)
    except PermissionError:
        raise PermissionDenied from None
    return field, value, ""


def person_edit(request, pk: int):
    """Phones are shown masked; a masked value sent back unchanged keeps the stored number. The clear value
    is filled in only after a reveal with a reason (posted to this page, logged), or when the user types it."""
    person = _person_for_edit(request, pk)
    revealed: dict[str, str] = {}
    reveal_error = ""
    if request.method == "POST" and request.POST.get("reveal"):
        require(request.user.can_reveal and request.POST.get("field") in forms.REVEALABLE_PHONES)
        field, value, reveal_error = _reveal(request, person)
        if value is not None:
            revealed[field] = value
        form = forms.PersonForm(instance=person, editing=True, revealed=revealed, initial={"id_number": ""})
    else:
        form = forms.PersonForm(request.POST or None, instance=person, editing=True, initial={"id_number": ""})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            saved = apply_service(form, lambda: services.person_update(
                actor=request.user, person=person, id_number=data.get("id_number") or None,
                fields={k: v for k, v in data.items() if k != "id_number"}))
            if saved is not None:
                messages.success(request, _("Changes saved."))
                return redirect("people:detail", pk=pk)
    reveal_fields = [(name, form.fields[name].label) for name in forms.REVEALABLE_PHONES
                     if getattr(person, name) and name not in revealed and request.user.can_reveal]
    response = render(request, "people/person_form.html", {
        "form": form, "title": _("Edit %(name)s") % {"name": person.name}, "person": person, "submit": _("Save"),
        "reveal_fields": reveal_fields, "reveal_error": reveal_error,
    })
    response["Cache-Control"] = "no-store"
    return response


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
    """One value in clear, in this response only: never in a message, a cookie or a redirect."""
    person = get_visible_or_404(visible_persons(request.user), pk=pk)
    require(_may_reveal(request.user, person, request.POST.get("field", "")))
    field, value, error = _reveal(request, person)
    if is_htmx(request):
        response = render(request, "people/_revealed.html", {"value": value, "error": error, "person": person,
                                                              "field": field})
    else:
        response = _detail_page(request, person, revealed={field: value} if value is not None else None,
                                reveal_error=error, status=200 if value is not None else 422)
    response["Cache-Control"] = "no-store"
    return response


def _unplaced_for(user):
    """The bureau answers for persons no scope reaches; nobody else sees them."""
    if user.has_role(Role.BUREAU) and not user.is_admin_role:
        return selectors.unplaced_persons()
    return Person.objects.none()


def unplaced_list(request):
    """待归属: on the register but visible to nobody; the bureau places each one."""
    require(request.user.has_role(Role.BUREAU) and not request.user.is_admin_role)
    qs = _unplaced_for(request.user).select_related("original_unit").order_by("name", "pk")
    page = paginate(request, qs)
    return render(request, "people/unplaced_list.html", {"page": page, "total": page.paginator.count})


def _place(actor, person, *, region, org, on):
    with transaction.atomic():
        if org is not None:
            services.membership_transfer(actor=actor, person=person, org=org, on=on)
        if region is not None:
            services.person_update(actor=actor, person=person, fields={"region": region})
    return person


def person_place(request, pk: int):
    person = get_visible_or_404(_unplaced_for(request.user), pk=pk)
    require(request.user.can_edit)
    form = forms.PlaceForm(request.POST or None, orgs=visible_orgs(request.user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if apply_service(form, lambda: _place(request.user, person, region=d["region"], org=d["org"], on=d["on"])):
            messages.success(request, _("%(name)s has been placed.") % {"name": person.name})
            return redirect("people:unplaced")
    return render(request, "form_page.html", {
        "form": form, "title": _("Place %(name)s") % {"name": person.name}, "submit": _("Save")})


def pending_list(request):
    """待落实组织关系: party members whose relation is not known yet."""
    require(request.user.is_staff_user)
    return redirect(reverse("people:list") + "?pending=on&party=yes")
