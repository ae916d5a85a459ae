from django.shortcuts import redirect, render

from jinqiu.accounts.models import Role
from jinqiu.accounts.scoping import visible_orgs, visible_persons
from jinqiu.care.selectors import home_figures as care_figures
from jinqiu.orglife.permissions import can_record

from .selectors import headline, to_do


def home(request):
    user = request.user
    if user.has_role(Role.AUDITOR):
        return redirect("accounts:access_log")
    if user.is_admin_role:
        return redirect("accounts:users")
    if not user.is_staff_user:
        return render(request, "stats/home.html", {"figures": None})
    orgs = visible_orgs(user)
    return render(request, "stats/home.html", {
        "figures": headline(visible_persons(user), orgs),
        "todo": to_do(user, orgs),
        "can_record": can_record(user),
        "care": care_figures(user),
        "care_mine": user.role_set == {Role.PAIR_CONTACT},  # their figures count the tasks assigned to them
    })
