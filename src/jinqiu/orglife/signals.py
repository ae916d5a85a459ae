"""Organisational life following changes made elsewhere.

Expected lists follow membership endings recorded after the fact: a death, a move or a transfer is often
recorded weeks later, and the meetings held since that day expected a person who was no longer a member
there. When a membership gets its end date, the held meetings in which that person is expected through it
on or after that day draw up their expected lists again, and their tallies follow. It runs in the
transaction (and under the actor) of the change that ended the membership.

A link between a meeting and an organisation deleted (a partner dropped, a meeting deleted from the admin)
updates the months held (and so moves the version compliance is cached under).
"""

from __future__ import annotations


def membership_saved(sender, instance, created: bool = False, update_fields=None, **kwargs) -> None:
    if instance.ended_on is None or (update_fields is not None and "ended_on" not in update_fields):
        return
    from .models import Attendance
    from .services import resync_meetings

    meeting_ids = set(Attendance.objects.filter(person_id=instance.person_id, org_id=instance.org_id,
                                                held_on__gte=instance.ended_on).values_list("meeting_id", flat=True))
    if meeting_ids:
        resync_meetings(meeting_ids)


def link_deleted(sender, instance, **kwargs) -> None:
    """A link removed (a partner dropped from a joint meeting, or the meeting deleted from the admin) takes
    its month with it."""
    from .services import refresh_held_months, tallies_changed

    if instance.meeting_type_id is not None:
        refresh_held_months([(instance.org_id, instance.meeting_type_id, instance.month // 12)])
    tallies_changed()
