"""The bureau edits the 六必访 rules."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jinqiu.core.audit import acting

from ..defaults import CONTACT_RULES
from ..models import CareRule, ContactRule
from ..permissions import may_edit_rules

RULE_FIELDS = ("is_active", "lead_days", "due_days", "grace_days", "visitor", "leader_for_senior",
               "street_after_days", "bureau_after_days")


@transaction.atomic
def rule_update(*, actor, rule: CareRule, fields: dict[str, Any]) -> CareRule:
    """Changes apply to tasks made from now on; tasks already made keep their window."""
    if not may_edit_rules(actor):
        raise ValidationError(_("Only the bureau edits the visit rules."))
    rule = CareRule.objects.select_for_update().get(pk=rule.pk)
    for key, value in fields.items():
        if key in RULE_FIELDS:
            setattr(rule, key, value)
    rule.full_clean()
    with acting(actor):
        rule.save()
    return rule


def ensure_contact_rules() -> dict[str, ContactRule]:
    rules = {r.kind: r for r in ContactRule.objects.all()}
    for kind, days in CONTACT_RULES.items():
        if kind not in rules:
            rules[kind], _created = ContactRule.objects.get_or_create(kind=kind, defaults={"every_days": days})
    return rules


@transaction.atomic
def contact_rule_update(*, actor, rule: ContactRule, every_days: int, is_active: bool) -> ContactRule:
    if not may_edit_rules(actor):
        raise ValidationError(_("Only the bureau edits the visit rules."))
    rule = ContactRule.objects.select_for_update().get(pk=rule.pk)
    rule.every_days, rule.is_active = every_days, is_active
    rule.full_clean()
    with acting(actor):
        rule.save()
    return rule
