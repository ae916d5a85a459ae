from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "jinqiu.care"
    verbose_name = _("Care")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import (
            Campaign,
            CampaignTarget,
            CareRule,
            ContactRule,
            Device,
            Hospitalisation,
            Request,
            Visit,
            VisitTask,
        )

        stamps = ["created_at", "updated_at"]
        auditlog.register(CareRule, exclude_fields=stamps)
        auditlog.register(ContactRule, exclude_fields=stamps)
        auditlog.register(VisitTask, exclude_fields=stamps)
        auditlog.register(Visit, exclude_fields=stamps, m2m_fields={"visitors"})
        auditlog.register(Campaign, exclude_fields=stamps)
        auditlog.register(CampaignTarget, exclude_fields=stamps)
        auditlog.register(Hospitalisation, exclude_fields=stamps)
        auditlog.register(Request, exclude_fields=stamps)
        auditlog.register(Device, exclude_fields=stamps + ["token_hash", "last_used_at"])

        from django.db.models.signals import post_save, pre_save

        from jinqiu.people.models import Person

        from .signals import person_before_save, person_saved

        pre_save.connect(person_before_save, sender=Person, dispatch_uid="care-person-before")
        post_save.connect(person_saved, sender=Person, dispatch_uid="care-person-saved")
