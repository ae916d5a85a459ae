"""Campaigns (走访慰问): the list, the coverage page with the targets not yet reached, bulk assignment, the
export, and the visit to a party organisation."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jinqiu.accounts.models import AccessAction, User
from jinqiu.accounts.scoping import get_visible_or_404, visible_orgs
from jinqiu.accounts.services import access_log_record
from jinqiu.core import idempotency
from jinqiu.core.web import apply_service, client_ip, paginate, require
from jinqiu.core.xlsx import XLSX_TYPE, Footer
from jinqiu.organizations.selectors import with_path_labels
from jinqiu.people.exports import write_table
from jinqiu.regions.models import Region

from .. import selectors, services
from ..forms_campaigns import (
    NO_ASSIGNEE,
    AssignForm,
    CampaignEditForm,
    CampaignForm,
    OrgVisitForm,
    TargetFilterForm,
)
from ..permissions import has_care_duties, may_manage, may_visit


def _campaign(request, pk: int):
    """Scope first (404), then the role (403)."""
    campaign = get_visible_or_404(selectors.visible_campaigns(request.user), pk=pk)
    require(request.user.is_staff_user)
    return campaign


def campaign_list(request):
    require(request.user.is_staff_user)
    today = timezone.localdate()
    campaigns = selectors.visible_campaigns(request.user)
    running = list(campaigns.filter(starts_on__lte=today, ends_on__gte=today).order_by("ends_on", "id"))
    others = paginate(request, campaigns.exclude(pk__in=[c.pk for c in running]).order_by("-starts_on", "-id"), 20)
    rows = []
    for campaign in [*running, *others]:
        whole, _streets = selectors.coverage(request.user, campaign)
        rows.append((campaign, whole))
    return render(request, "care/campaign_list.html", {
        "running": rows[:len(running)], "others": rows[len(running):], "page": others, "today": today,
        "can_manage": may_manage(request.user)})


def campaign_create(request):
    require(may_manage(request.user))
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        token = d.pop("once", "")
        done = apply_service(form, lambda: idempotency.once(
            user=request.user, scope="care.campaign_create", key=token, field="once",
            create=lambda: services.campaign_create(actor=request.user, fields=d)))
        if done is not None:
            if done.replayed:
                messages.info(request, _("This campaign had already been saved (the form was sent twice): "
                                         "here it is, once."))
            else:
                messages.success(request, _("The campaign has been created with %(n)d targets.") % {
                    "n": done.obj.targets.count()})
            return redirect("care:campaign", pk=done.object_id)
    return render(request, "care/campaign_form.html", {
        "form": form, "title": _("New visit campaign"), "submit": _("Create"),
        "cancel_url": reverse("care:campaigns")})


def campaign_edit(request, pk: int):
    campaign = _campaign(request, pk)
    require(may_manage(request.user))
    form = CampaignEditForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        if apply_service(form, lambda: services.campaign_update(actor=request.user, campaign=campaign,
                                                                fields=form.cleaned_data)):
            messages.success(request, _("Changes saved."))
            return redirect("care:campaign", pk=pk)
    return render(request, "care/campaign_form.html", {
        "form": form, "title": _("Edit the campaign"), "submit": _("Save"),
        "cancel_url": reverse("care:campaign", kwargs={"pk": pk})})


def _community_choices(streets) -> list[tuple[int, str]]:
    return [(c.region_id, f"{street.name} › {c.name}" if street.name else c.name)
            for street, communities in streets for c in communities if c.region_id]


def _target_filters(request, campaign, streets):
    """The filter form of the targets list, and the targets it keeps (not yet reached, not withdrawn)."""
    targets = selectors.visible_targets(request.user, campaign)
    open_targets = targets.filter(reached_on__isnull=True, withdrawn_on__isnull=True)
    assigned = (User.objects.filter(pk__in=targets.filter(assignee__isnull=False).values("assignee_id"))
                .order_by("display_name", "username"))
    form = TargetFilterForm(request.GET or None, communities=_community_choices(streets),
                            users=[(str(u.pk), str(u)) for u in assigned])
    chosen = {"region": None, "assignee": ""}
    if form.is_bound and form.is_valid():
        chosen = form.cleaned_data
    elif form.is_bound:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    if chosen["region"]:
        open_targets = open_targets.filter(region_id=chosen["region"])
    if chosen["assignee"] == NO_ASSIGNEE:
        open_targets = open_targets.filter(assignee__isnull=True)
    elif chosen["assignee"]:
        open_targets = open_targets.filter(assignee_id=int(chosen["assignee"]))
    open_targets = open_targets.select_related("person", "org", "region", "assignee").order_by(
        "region__path", "person__name", "org__path", "id")
    return form, chosen, open_targets


def campaign_detail(request, pk: int):
    """The coverage on one screen: the whole, per street with its communities, and who is not yet reached."""
    campaign = _campaign(request, pk)
    whole, streets = selectors.coverage(request.user, campaign)
    form, chosen, open_targets = _target_filters(request, campaign, streets)
    page = paginate(request, open_targets, 50)
    orgs = with_path_labels([t.org for t in page if t.org_id])
    labels = {o.pk: o.path_label for o in orgs}
    for target in page:
        target.label = labels.get(target.org_id, "") if target.org_id else target.person.name
    can_manage = may_manage(request.user)
    withdrawn = selectors.visible_targets(request.user, campaign).filter(withdrawn_on__isnull=False).count()
    back = urlencode({k: v for k, v in (("region", chosen["region"] or ""), ("assignee", chosen["assignee"] or ""))
                      if v})
    return render(request, "care/campaign_detail.html", {
        "campaign": campaign, "whole": whole, "streets": streets, "form": form, "page": page,
        "withdrawn": withdrawn, "can_manage": can_manage, "can_visit": may_visit(request.user),
        "assign_form": AssignForm(user=request.user, target_ids=[]) if can_manage else None,
        "back": back, "running": campaign.is_running(timezone.localdate()),
        "root": campaign.root_org and with_path_labels([campaign.root_org])[0].path_label
        or (campaign.root_region and campaign.root_region.name)})


def _back_to(pk: int, request) -> str:
    """The campaign page with the filters the assignment was made under (only values that are ids)."""
    query = {}
    region = request.POST.get("region", "")
    assignee = request.POST.get("f_assignee", "")
    if region.isdigit():
        query["region"] = region
    if assignee.isdigit() or assignee == NO_ASSIGNEE:
        query["assignee"] = assignee
    url = reverse("care:campaign", kwargs={"pk": pk})
    return f"{url}?{urlencode(query)}" if query else url


@require_POST
def campaign_assign(request, pk: int):
    campaign = _campaign(request, pk)
    require(may_manage(request.user))
    open_targets = selectors.visible_targets(request.user, campaign).filter(withdrawn_on__isnull=True)
    ids = [int(v) for v in request.POST.getlist("targets") if v.isdigit() and len(v) < 19]
    form = AssignForm(request.POST, user=request.user,
                      target_ids=list(open_targets.filter(pk__in=ids).values_list("pk", flat=True)))
    if form.is_valid():
        chosen = form.cleaned_data["targets"]
        n = apply_service(form, lambda: services.campaign_assign(
            actor=request.user, campaign=campaign, targets=open_targets.filter(pk__in=chosen),
            assignee=form.cleaned_data["assignee"]))
        if n is not None:
            messages.success(request, _("%(n)d targets assigned.") % {"n": n})
            if n < len(chosen):
                messages.warning(request, _("%(n)d targets were left as they were: the person chosen cannot see "
                                            "them.") % {"n": len(chosen) - n})
            return redirect(_back_to(pk, request))
    if "targets" in form.errors and not request.POST.getlist("targets"):
        messages.error(request, _("Tick the targets to assign first."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(_back_to(pk, request))


@require_POST
def campaign_refresh(request, pk: int):
    campaign = _campaign(request, pk)
    require(may_manage(request.user))
    form = CampaignEditForm({})
    done = apply_service(form, lambda: services.campaign_refresh(actor=request.user, campaign=campaign))
    if done is not None:
        added, withdrawn = done
        messages.success(request, _("Targets brought up to date: %(added)d added, %(withdrawn)d left the "
                                    "campaign.") % {"added": added, "withdrawn": withdrawn})
    else:
        messages.error(request, " ".join(form.non_field_errors()))
    return redirect("care:campaign", pk=pk)


def _date(value) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def _export_rows(targets, labels: dict[int, str], places: dict[int, tuple[str, str]]):
    for t in targets.iterator(chunk_size=2000):
        community, street = places.get(t.region_id, ("", ""))
        left = ""
        if t.withdrawn_on:
            left = f"{_date(t.withdrawn_on)} {t.get_withdrawn_because_display()}"
        yield [t.person.name if t.person_id else labels.get(t.org_id, ""),
               _("Person") if t.person_id else _("Organisation"), community, street,
               str(t.assignee) if t.assignee_id else "", _date(t.reached_on), left]


def campaign_export(request, pk: int):
    """Every target the user sees: who, where, assigned to whom, reached when, or why it left."""
    campaign = _campaign(request, pk)
    targets = (selectors.visible_targets(request.user, campaign).select_related("person", "assignee")
               .order_by("region_id", "person__name", "org_id", "id"))
    labels = {o.pk: o.path_label for o in with_path_labels(
        visible_orgs(request.user).filter(pk__in=targets.filter(org__isnull=False).values("org_id")))}
    communities = {r.pk: r for r in Region.objects.filter(pk__in=targets.values("region_id"))}
    parents = {r.path: r.name for r in Region.objects.filter(
        path__in={r.path[:-Region.steplen] for r in communities.values()})}
    places = {pk_: (r.name, parents.get(r.path[:-Region.steplen], "")) for pk_, r in communities.items()}
    with translation.override("zh-hans"):
        headers = [_("Person or organisation"), _("Kind"), _("Community"), _("Street"), _("Assigned to"),
                   _("Reached on"), _("Left the campaign")]
        handle, count = write_table(title=campaign.name, headers=headers, rows=_export_rows(targets, labels, places),
                                    footer=Footer(exported_by=str(request.user), exported_at=timezone.now()),
                                    widths=[36, 10, 16, 16, 12, 12, 20])
        detail = _("Targets of the campaign “%(name)s”, %(n)d rows") % {"name": campaign.name, "n": count}
    access_log_record(actor=request.user, action=AccessAction.EXPORT, reason="", detail=detail,
                      ip_address=client_ip(request))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = FileResponse(handle, as_attachment=True, filename=f"{campaign.name}-{stamp}.xlsx",
                            content_type=XLSX_TYPE)
    response["Cache-Control"] = "no-store"
    return response


def org_visit_create(request, pk: int):
    """A visit to a party organisation (走访慰问 of the retired cadres' organisations)."""
    org = get_visible_or_404(visible_orgs(request.user), pk=pk)
    require(may_visit(request.user))
    form = OrgVisitForm(request.POST or None)
    if not has_care_duties(request.user):
        del form.fields["money"]  # amounts are for roles with care duties only
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        token = d.pop("once", "")
        if d.get("money") is None:
            d["money"] = 0
        done = apply_service(form, lambda: idempotency.once(
            user=request.user, scope="care.org_visit_create", key=token, field="once",
            create=lambda: services.visit_record(actor=request.user, fields=d, org=org)))
        if done is not None:
            if done.replayed:
                messages.info(request, _("This visit had already been saved (the form was sent twice): "
                                         "here it is, once."))
            else:
                messages.success(request, _("The visit to %(org)s has been recorded.") % {"org": org.name})
            return redirect("care:visit", pk=done.object_id)
    label = with_path_labels([org])[0].path_label
    return render(request, "care/org_visit_form.html", {
        "form": form, "title": _("Record a visit to %(org)s") % {"org": label}, "submit": _("Save"),
        "cancel_url": reverse("care:campaigns")})
