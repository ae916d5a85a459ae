from django.shortcuts import redirect, render

from jinqiu.accounts.models import Role
from jinqiu.accounts.scoping import visible_orgs, visible_persons

from .selectors import headline


def home(request):
    user = request.user
    if user.has_role(Role.AUDITOR):
        return redirect("accounts:access_log")
    if user.is_admin_role:
        return redirect("accounts:users")
    figures = headline(visible_persons(user), visible_orgs(user)) if user.is_staff_user else None
    return render(request, "stats/home.html", {"figures": figures})
