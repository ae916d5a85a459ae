"""Who may record organisational life.

Roles grant actions, scopes grant data: bureau and street staff edit everything in scope, and a
branch secretary (书记, 联络员) records the meetings and attendance of the organisations in their
scope; they still only read persons. Frequency rules belong to the bureau.
"""

from jinqiu.accounts.models import Role

RECORDER_ROLES = (Role.BUREAU, Role.STREET, Role.SECRETARY)


def can_record(user) -> bool:
    return user.is_authenticated and user.has_role(*RECORDER_ROLES)


def can_edit_rules(user) -> bool:
    return user.is_authenticated and user.has_role(Role.BUREAU)
