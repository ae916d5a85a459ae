"""Which roles do what in care. What they see is still `accounts.scoping` (the person must be visible)."""

from jinqiu.accounts.models import Role

# Roles with care duties: they read health details, hardship and money; everyone else never does.
CARE_ROLES = frozenset({Role.BUREAU, Role.STREET, Role.PAIR_CONTACT})
# Record a visit, a hospital stay, a request raised in a visit.
VISIT_ROLES = frozenset({Role.BUREAU, Role.STREET, Role.SECRETARY, Role.PAIR_CONTACT})
# Exempt a task, run campaigns, handle requests, register terminals.
MANAGE_ROLES = frozenset({Role.BUREAU, Role.STREET})
# Edit the 六必访 rules.
RULE_ROLES = frozenset({Role.BUREAU})
# Who a task or a campaign target may be assigned to.
ASSIGNABLE_ROLES = frozenset({Role.BUREAU, Role.STREET, Role.SECRETARY, Role.PAIR_CONTACT})


def has_care_duties(user) -> bool:
    return bool(user.is_authenticated and not user.is_admin_role and user.role_set & CARE_ROLES)


def may_visit(user) -> bool:
    return bool(user.is_authenticated and not user.is_admin_role and user.role_set & VISIT_ROLES)


def may_manage(user) -> bool:
    return bool(user.is_authenticated and not user.is_admin_role and user.role_set & MANAGE_ROLES)


def may_edit_rules(user) -> bool:
    return bool(user.is_authenticated and not user.is_admin_role and user.role_set & RULE_ROLES)
