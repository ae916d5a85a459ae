from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

EXCLUDED = ["id_number_enc", "id_number_index", "search_text", "created_at", "updated_at"]


class PeopleConfig(AppConfig):
    name = "jinqiu.people"
    verbose_name = _("People")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Membership, OfficerTerm, Person, Survivor

        # The change history never holds a clear ID number; phones are masked in it.
        auditlog.register(Person, exclude_fields=EXCLUDED, mask_fields=["mobile", "phone", "emergency_phone"])
        auditlog.register(Membership, exclude_fields=["created_at", "updated_at"])
        auditlog.register(OfficerTerm, exclude_fields=["created_at", "updated_at"])
        auditlog.register(Survivor, exclude_fields=["created_at", "updated_at"], mask_fields=["phone"])
