"""Membership.end_reason becomes a code (EndReason); any free text moves to the new end_note.

Stored values were Chinese strings used as codes, and "Organisation dissolved" in the language of whoever
dissolved the organisation: each is mapped to its code, anything else becomes "other" with the old text
kept as the note.
"""

from django.db import migrations, models

TO_CODE = {
    "组织关系转接": "transfer",
    "組織關係轉接": "transfer",
    "去世": "death",
    "迁出": "moved",
    "遷出": "moved",
    "Organisation dissolved": "dissolved",
    "组织撤销": "dissolved",
    "組織撤銷": "dissolved",
    "党组织撤销": "dissolved",
    "黨組織撤銷": "dissolved",
    "Left": "left",
    "退出": "left",
}
# Going back: the Chinese strings the code stored before.
TO_TEXT = {"transfer": "组织关系转接", "death": "去世", "moved": "迁出", "dissolved": "组织撤销", "left": "退出"}


def code_and_note(old: str) -> tuple[str, str]:
    """The (end_reason, end_note) an old stored reason becomes."""
    text = old.strip()
    if not text:
        return "", ""
    code = TO_CODE.get(text)
    return (code, "") if code else ("other", text[:120])


def forwards(apps, schema_editor):
    Membership = apps.get_model("people", "Membership")
    for old in Membership.objects.exclude(end_reason="").values_list("end_reason", flat=True).distinct():
        code, note = code_and_note(old)
        Membership.objects.filter(end_reason=old).update(end_reason=code, end_note=note)


def backwards(apps, schema_editor):
    Membership = apps.get_model("people", "Membership")
    for code, text in TO_TEXT.items():
        Membership.objects.filter(end_reason=code).update(end_reason=text)
    for membership in Membership.objects.filter(end_reason="other"):
        membership.end_reason = membership.end_note[:120] or "其他"
        membership.end_note = ""
        membership.save(update_fields=["end_reason", "end_note"])


class Migration(migrations.Migration):
    dependencies = [("people", "0004_roster_import_console")]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="end_note",
            field=models.CharField(blank=True, max_length=120, verbose_name="note on the end"),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.AlterField(
            model_name="membership",
            name="end_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("transfer", "Transfer of the membership relation"),
                    ("death", "Died"),
                    ("moved", "Moved away"),
                    ("dissolved", "Organisation dissolved"),
                    ("left", "Left"),
                    ("other", "Other"),
                ],
                max_length=12,
                verbose_name="reason it ended",
            ),
        ),
    ]
