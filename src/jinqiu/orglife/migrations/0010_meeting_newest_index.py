from django.db import migrations, models


class Migration(migrations.Migration):
    """Meeting lists are ordered newest first (starts_at, then id): read a page from an index, not a sort."""

    dependencies = [
        ("orglife", "0009_tallies_version_row"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="meeting",
            index=models.Index(fields=["-starts_at", "-id"], name="orglife_meeting_newest_idx"),
        ),
    ]
