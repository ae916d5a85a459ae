from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "jinqiu.regions"
    verbose_name = _("Regions")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Region

        auditlog.register(Region, exclude_fields=["created_at", "updated_at", "numchild"])
