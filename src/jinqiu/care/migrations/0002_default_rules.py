"""The six 六必访 rules and the two 结对联系 contact rules, with their defaults: the bureau edits them."""

from django.db import migrations

from jinqiu.care.defaults import CONTACT_RULES, VISIT_RULES


def create(apps, schema_editor):
    CareRule = apps.get_model("care", "CareRule")
    ContactRule = apps.get_model("care", "ContactRule")
    for kind, defaults in VISIT_RULES.items():
        CareRule.objects.get_or_create(kind=kind, defaults=defaults)
    for kind, days in CONTACT_RULES.items():
        ContactRule.objects.get_or_create(kind=kind, defaults={"every_days": days})


class Migration(migrations.Migration):
    dependencies = [("care", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
