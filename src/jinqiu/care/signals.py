"""Care following changes to the register.

- A death recorded: the 丧葬大事 task (visit the family within the rule's days); every other open task of
  that person is withdrawn, and they leave the campaigns that have not reached them.
- A move away recorded: open tasks withdrawn, campaign targets left.
- A person marked as in extreme hardship (特困): the 生活困难 task, once a year.

It runs in the transaction, and under the actor, of the change to the person. The daily job repeats the
death and move sweep (`tasks.care_daily`), so a change made without signals (a bulk update) is caught up.
"""

from __future__ import annotations

from django.utils import timezone


def person_before_save(sender, instance, raw: bool = False, **kwargs) -> None:
    if raw or instance.pk is None:
        instance._care_before = None
        return
    instance._care_before = sender.objects.filter(pk=instance.pk).values("status", "hardship").first()


def person_saved(sender, instance, created: bool = False, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    before = getattr(instance, "_care_before", None) or {}
    person_left(instance)
    if instance.hardship and not before.get("hardship") and instance.status == "active":
        from .models import RuleKind
        from .services.tasks import task_for_event

        today = timezone.localdate()
        task_for_event(actor=None, person=instance, kind=RuleKind.HARDSHIP, key=f"hardship:{today.year}",
                       event_on=today)


def person_left(person) -> None:
    """Idempotent: what a death or a move away changes in care."""
    from jinqiu.people.models import PersonStatus

    from .models import CampaignTarget, LeftBecause, RuleKind
    from .services.campaigns import withdraw_target
    from .services.tasks import task_for_event, withdraw_tasks

    if person.status == PersonStatus.DECEASED and person.died_on:
        withdraw_tasks(person=person, because=LeftBecause.DIED, on=person.died_on)
        task_for_event(actor=None, person=person, kind=RuleKind.FUNERAL, key="death", event_on=person.died_on)
    elif person.status == PersonStatus.MOVED:
        withdraw_tasks(person=person, because=LeftBecause.MOVED, on=person.moved_on or timezone.localdate())
    else:
        return
    for target in CampaignTarget.objects.filter(person=person, reached_on__isnull=True, withdrawn_on__isnull=True):
        target.person = person
        withdraw_target(target)
