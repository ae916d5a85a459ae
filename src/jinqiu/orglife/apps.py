from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrglifeConfig(AppConfig):
    name = "jinqiu.orglife"
    verbose_name = _("Organisational life")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Attendance, FrequencyRule, MakeUp, Meeting, Reopening

        auditlog.register(Meeting, exclude_fields=["created_at", "updated_at"])
        auditlog.register(Attendance)
        auditlog.register(MakeUp, exclude_fields=["created_at", "updated_at"])
        auditlog.register(FrequencyRule)
        auditlog.register(Reopening, exclude_fields=["created_at", "updated_at"])

        from django.db.models.signals import post_delete, post_save

        from jinqiu.people.models import Membership

        from .models import MeetingOrg
        from .signals import link_deleted, membership_saved

        post_save.connect(membership_saved, sender=Membership, dispatch_uid="orglife-membership-ended")
        post_delete.connect(link_deleted, sender=MeetingOrg, dispatch_uid="orglife-link-deleted")
