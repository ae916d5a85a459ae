"""一键呼叫 terminals: the list in scope, registering one for a person (its token shown once), revoking one."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from jinqiu.accounts.scoping import get_visible_or_404, visible_persons
from jinqiu.core.web import apply_service, paginate, require

from .. import services
from ..forms_campaigns import DeviceForm
from ..models import Device
from ..permissions import may_manage


def _visible_devices(user):
    return Device.objects.filter(person__in=visible_persons(user).values("pk"))


def device_list(request):
    require(request.user.is_staff_user)
    devices = (_visible_devices(request.user).select_related("person__region", "registered_by")
               .order_by("revoked_on", "person__name", "-id"))
    return render(request, "care/device_list.html", {"page": paginate(request, devices, 50),
                                                     "can_manage": may_manage(request.user)})


def device_register(request, pk: int):
    """GET: the name of the terminal; POST: register it and show its token, this once (never stored in clear)."""
    person = get_visible_or_404(visible_persons(request.user), pk=pk)
    require(may_manage(request.user))
    form = DeviceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = apply_service(form, lambda: services.device_register(actor=request.user, person=person,
                                                                    name=form.cleaned_data["name"]))
        if done is not None:
            device, token = done
            response = render(request, "care/device_token.html", {"device": device, "token": token,
                                                                  "person": person})
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "care/device_form.html", {
        "form": form, "title": _("Register a call terminal for %(name)s") % {"name": person.name},
        "submit": _("Register"), "cancel_url": reverse("care:person", kwargs={"pk": person.pk})})


def device_revoke(request, pk: int):
    """GET: what revoking does, to confirm; POST: revoke (the terminal's alarms are refused from then on)."""
    device = get_visible_or_404(_visible_devices(request.user).select_related("person"), pk=pk)
    require(may_manage(request.user))
    if request.method == "POST":
        services.device_revoke(actor=request.user, device=device)
        messages.success(request, _("The terminal “%(name)s” has been revoked.") % {"name": device.name})
        return redirect("care:devices")
    return render(request, "care/device_revoke.html", {"device": device})
