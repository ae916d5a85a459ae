from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrglifeConfig(AppConfig):
    name = "jinqiu.orglife"
    verbose_name = _("Organisational life")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Attendance, FrequencyRule, MakeUp, Meeting

        auditlog.register(Meeting, exclude_fields=["created_at", "updated_at"])
        auditlog.register(Attendance)
        auditlog.register(MakeUp, exclude_fields=["created_at", "updated_at"])
        auditlog.register(FrequencyRule)
