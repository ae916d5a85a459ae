"""`{% history_items entries as items %}`: the change history in the reader's mode (see core/history.py)."""

from django import template

from jinqiu.accounts.models import Role
from jinqiu.accounts.scoping import visible_persons
from jinqiu.core import history

register = template.Library()


@register.simple_tag(takes_context=True)
def history_items(context, entries):
    """The auditor reads which fields changed, never their values; staff read values of records in scope."""
    user = context["request"].user
    if user.has_role(Role.AUDITOR) or user.is_admin_role:
        return history.render(entries, values=False)
    return history.render(entries, values=True, persons=visible_persons(user))
