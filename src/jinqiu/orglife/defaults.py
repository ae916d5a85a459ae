"""The default meeting types and frequency rules (the bureau edits them afterwards)."""

# code, name, is a party lesson, attended by the committee (支委) only
TYPES = [
    ("dangyuan-dahui", "支部党员大会", False, False),
    ("zhiweihui", "支委会", False, True),
    ("xiaozuhui", "党小组会", False, False),
    ("dangke", "党课", True, False),
    ("zhuti-dangri", "主题党日", False, False),
    ("zuzhi-shenghuohui", "组织生活会", False, False),
    ("minzhu-pingyi", "民主评议党员", False, False),
]

# (org kind, establishment group) → {type code: period}
RULES = {
    ("zhibu", "formal"): {
        "dangyuan-dahui": "quarter", "zhiweihui": "month", "dangke": "quarter", "zhuti-dangri": "month",
        "zuzhi-shenghuohui": "year", "minzhu-pingyi": "year",
    },
    ("xiaozu", "formal"): {"xiaozuhui": "month"},
    # 非建制 (功能型, 临时): activity only, lighter rules.
    ("zhibu", "informal"): {"zhuti-dangri": "quarter"},
    ("xiaozu", "informal"): {"xiaozuhui": "quarter"},
}


def install(meeting_type_model, rule_model) -> None:
    types = {}
    has_committee = any(f.name == "for_committee" for f in meeting_type_model._meta.get_fields())
    for order, (code, name, is_lesson, for_committee) in enumerate(TYPES):
        defaults = {"name": name, "is_lesson": is_lesson, "order": order}
        if has_committee:  # the field came with migration 0003
            defaults["for_committee"] = for_committee
        types[code], _ = meeting_type_model.objects.update_or_create(code=code, defaults=defaults)
    for (kind, establishment), rules in RULES.items():
        for code, period in rules.items():
            rule_model.objects.get_or_create(meeting_type=types[code], org_kind=kind, establishment=establishment,
                                             defaults={"period": period})
