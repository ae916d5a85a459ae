from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStamped(models.Model):
    """Creation and last-change times on every domain row."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class IdempotencyKey(models.Model):
    """A create operation already done for one user, form token or API key: see `jinqiu.core.idempotency`."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(_("create operation"), max_length=60)
    key = models.CharField(_("key"), max_length=128)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64, blank=True)
    object_id = models.PositiveBigIntegerField(_("object created"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [models.UniqueConstraint(fields=["user", "scope", "key"], name="one_use_per_user_scope_key")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"
