from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "jinqiu.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Pairing, Scope, User, UserRole

        auditlog.register(User, include_fields=["username", "display_name", "is_active", "person"])
        auditlog.register(UserRole)
        auditlog.register(Scope)
        auditlog.register(Pairing)
