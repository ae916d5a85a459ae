from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "jinqiu.organizations"
    verbose_name = _("Organizations")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import PartyOrg, Unit

        auditlog.register(PartyOrg, exclude_fields=["created_at", "updated_at", "numchild"])
        auditlog.register(Unit, exclude_fields=["created_at", "updated_at"])
