"""Login, and the pages of the three administrator roles (三权分立)."""

from auditlog.models import LogEntry
from axes.utils import reset
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jinqiu.core.web import apply_service, paginate, require
from jinqiu.organizations.selectors import with_path_labels

from . import forms, services
from .models import AccessLog, Pairing, Role, Scope, User
from .scoping import get_visible_or_404, visible_persons


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = forms.LoginForm
    redirect_authenticated_user = True


def password_change(request):
    """Every logged-in user changes their own password here; an account whose password an administrator
    gave is sent here until it does (see middleware.PasswordChangeRequiredMiddleware)."""
    form = forms.PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        user = apply_service(form, lambda: services.password_change(
            user=request.user, old_password=d["old_password"], new_password=d["new_password1"]))
        if user is not None:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password has been changed."))
            return redirect("home")
    forced = request.user.must_change_password
    return render(request, "form_page.html", {
        "form": form, "submit": _("Change password"),
        "title": _("Choose your own password before you go on") if forced else _("Change password"),
    })


def _manages_accounts(user) -> bool:
    return user.has_role(Role.SYSADMIN, Role.SECADMIN)


def user_list(request):
    require(_manages_accounts(request.user))
    users = User.objects.prefetch_related("roles", "scopes__org", "scopes__region", "scopes__unit").order_by("username")
    return render(request, "accounts/user_list.html", {"page": paginate(request, users)})


def user_create(request):
    """系统管理员 creates accounts; roles are granted here and changed by the 安全管理员."""
    require(request.user.has_role(Role.SYSADMIN))
    form = forms.UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        user = apply_service(form, lambda: services.user_create(
            actor=request.user, username=d["username"], password=d["password"], roles=d["roles"],
            display_name=d["display_name"],
            person=services.person_for_account(d["person_id_number"]) if d["person_id_number"] else None))
        if user is not None:
            # One answer whether or not the ID number matched a record (see services.person_for_account).
            messages.success(request, _("Account %(name)s created.") % {"name": user.username})
            return redirect("accounts:user", pk=user.pk)
    return render(request, "form_page.html", {"form": form, "title": _("New account"), "submit": _("Save")})


def user_detail(request, pk: int):
    require(_manages_accounts(request.user))
    account = get_visible_or_404(User.objects.all(), pk=pk)
    roles_form = forms.UserRolesForm(request.POST if "roles_submit" in request.POST else None,
                                     initial={"roles": list(account.role_set)})
    scope_form = forms.ScopeForm(request.POST if "scope_submit" in request.POST else None)
    if request.method == "POST":
        require(request.user.has_role(Role.SECADMIN))
        if "roles_submit" in request.POST and roles_form.is_valid():
            if apply_service(roles_form, lambda: services.user_set_roles(
                    actor=request.user, user=account, roles=roles_form.cleaned_data["roles"])):
                messages.success(request, _("Roles saved."))
                return redirect("accounts:user", pk=pk)
        if "scope_submit" in request.POST and scope_form.is_valid():
            if apply_service(scope_form, lambda: services.scope_add(
                    actor=request.user, user=account, node=scope_form.cleaned_data["node"])):
                messages.success(request, _("Scope added."))
                return redirect("accounts:user", pk=pk)
    scopes = list(account.scopes.select_related("org", "region", "unit"))
    with_path_labels([s.org for s in scopes if s.org_id])  # organisation names repeat: show their parents
    return render(request, "accounts/user_detail.html", {
        "account": account, "roles_form": roles_form, "scope_form": scope_form, "scopes": scopes,
    })


@require_POST
def scope_remove(request, pk: int, scope_pk: int):
    require(request.user.has_role(Role.SECADMIN))
    scope = Scope.objects.filter(pk=scope_pk, user_id=pk).first()
    if scope is not None:
        services.scope_remove(actor=request.user, scope=scope)
        messages.success(request, _("Scope removed."))
    return redirect("accounts:user", pk=pk)


@require_POST
def user_unlock(request, pk: int):
    """安全管理员 lifts a lockout before its 30 minutes are over."""
    require(request.user.has_role(Role.SECADMIN))
    account = User.objects.filter(pk=pk).first()
    if account is not None:
        reset(username=account.username)
        messages.success(request, _("Lockout lifted for %(name)s.") % {"name": account.username})
    return redirect("accounts:user", pk=pk)


def access_log(request):
    require(request.user.has_role(Role.AUDITOR))
    entries = AccessLog.objects.select_related("user").order_by("-at")
    page = paginate(request, entries)
    for entry in page:  # the field's label (手机), not its code (mobile)
        entry.field_label = _person_field_label(entry.field)
    return render(request, "accounts/access_log.html", {"page": page})


def _person_field_label(name: str) -> str:
    from django.core.exceptions import FieldDoesNotExist

    from jinqiu.people.exports import EXPORT_KINDS
    from jinqiu.people.models import Person

    if not name:
        return ""
    if name in EXPORT_KINDS:
        return str(EXPORT_KINDS[name])
    try:
        return str(Person._meta.get_field("id_number_masked" if name == "id_number" else name).verbose_name)
    except FieldDoesNotExist:
        return ""  # a code of another app's export: its Chinese description is in the detail column


def change_log(request):
    require(request.user.has_role(Role.AUDITOR))
    entries = LogEntry.objects.select_related("actor").order_by("-timestamp")
    return render(request, "accounts/change_log.html", {"page": paginate(request, entries)})


def pairing_add(request, person_pk: int):
    """结对联系: a bureau or street worker pairs a contact with a person in their scope."""
    person = get_visible_or_404(visible_persons(request.user), pk=person_pk)
    require(request.user.can_edit)
    form = forms.PairingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if apply_service(form, lambda: services.pairing_create(actor=request.user, contact=d["contact"],
                                                               person=person, started_on=d["started_on"])):
            messages.success(request, _("Pair contact added."))
            return redirect("people:detail", pk=person.pk)
    return render(request, "form_page.html", {"form": form, "person": person, "submit": _("Save"),
                                              "title": _("Pair a contact with %(name)s") % {"name": person.name}})


@require_POST
def pairing_end(request, person_pk: int, pairing_pk: int):
    person = get_visible_or_404(visible_persons(request.user), pk=person_pk)
    require(request.user.can_edit)
    pairing = get_visible_or_404(Pairing.objects.filter(person=person, ended_on__isnull=True), pk=pairing_pk)
    services.pairing_end(actor=request.user, pairing=pairing)
    messages.success(request, _("Pairing ended."))
    return redirect("people:detail", pk=person.pk)
