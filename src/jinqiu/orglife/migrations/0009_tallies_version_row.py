import secrets

from django.db import migrations


def tallies_row(apps, schema_editor):
    """Row 2 of the versions: attendance rates are cached under it."""
    apps.get_model("orglife", "TallyVersion").objects.get_or_create(
        pk=2, defaults={"number": 1, "token": secrets.token_hex(8)})


class Migration(migrations.Migration):

    dependencies = [
        ("orglife", "0008_held_months"),
    ]

    operations = [
        migrations.RunPython(tallies_row, migrations.RunPython.noop),
    ]
