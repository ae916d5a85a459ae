from django.db import migrations


def forwards(apps, schema_editor):
    from jinqiu.orglife.defaults import install

    install(apps.get_model("orglife", "MeetingType"), apps.get_model("orglife", "FrequencyRule"))


class Migration(migrations.Migration):
    dependencies = [("orglife", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
