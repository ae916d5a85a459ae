"""Every write in care. One module per idea; the names are re-exported here for callers."""

from .campaigns import (
    campaign_assign,
    campaign_create,
    campaign_refresh,
    campaign_update,
    withdraw_target,
)
from .requests import (
    alarm_raise,
    device_for_token,
    device_register,
    device_revoke,
    request_accept,
    request_assign,
    request_conclude,
    request_create,
    request_extend,
    request_follow_up,
    request_reject,
    request_start,
)
from .rules import contact_rule_update, ensure_contact_rules, rule_update
from .tasks import (
    close_missed,
    ensure_rules,
    escalate,
    generate_birthday_tasks,
    task_assign,
    task_exempt,
    task_for_event,
    withdraw_tasks,
)
from .visits import hospitalisation_record, hospitalisation_update, visit_record

__all__ = [
    "alarm_raise", "contact_rule_update", "ensure_contact_rules", "campaign_assign", "campaign_create", "campaign_refresh", "campaign_update", "close_missed",
    "device_for_token", "device_register", "device_revoke", "ensure_rules", "escalate", "generate_birthday_tasks",
    "hospitalisation_record", "hospitalisation_update", "request_accept", "request_assign", "request_conclude",
    "request_create", "request_extend", "request_follow_up", "request_reject", "request_start", "rule_update",
    "task_assign", "task_exempt", "task_for_event", "visit_record", "withdraw_target", "withdraw_tasks",
]
