"""The rules a new installation starts with (plain values: the data migration reads them too)."""

# 六必访: kind → task appears days before, visit due within days, days late before missed, who visits.
VISIT_RULES = {
    "illness": {"lead_days": 0, "due_days": 3, "grace_days": 14, "visitor": "pair_contact"},
    "birthday": {"lead_days": 7, "due_days": 0, "grace_days": 7, "visitor": "pair_contact"},
    "festival": {"lead_days": 0, "due_days": 0, "grace_days": 0, "visitor": "community"},
    "dispute": {"lead_days": 0, "due_days": 3, "grace_days": 14, "visitor": "community"},
    "hardship": {"lead_days": 0, "due_days": 7, "grace_days": 14, "visitor": "community"},
    "funeral": {"lead_days": 0, "due_days": 3, "grace_days": 14, "visitor": "community"},
}
# 结对联系: a call monthly, a visit quarterly.
CONTACT_RULES = {"call": 30, "visit": 90}
