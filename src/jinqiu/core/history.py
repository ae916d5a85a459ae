"""The change history (django-auditlog's LogEntry) as sentences a clerk reads.

One renderer for every page that shows history: a record's own page and the 审计管理员's 变更记录.
Field names are the models' verbose names, choices their labels, foreign keys the names of what they
point to, times in the project's time zone; an empty value is "filled in" or "cleared", never "None →".

Two modes. For staff (who may open the record) values are shown, masked fields (`mask_fields` of the
auditlog registration: phones) as 138****5678. For the auditor (`values=False`) a change says which field
changed on which record, and the values only of the few fields that hold no personal data
(`AUDITOR_VALUES`): roles, scopes, account names, the structure trees.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import models
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from jinqiu.core import idnumber, phones

ALL = "__all__"
# model label → fields whose values the auditor may read (no personal data in them)
AUDITOR_VALUES: dict[str, frozenset[str] | str] = {
    "accounts.user": frozenset({"username", "is_active"}),
    "accounts.userrole": frozenset({"role", "user"}),
    "accounts.scope": frozenset({"user", "org", "region", "unit"}),
    "regions.region": ALL,
    "organizations.partyorg": ALL,
    "organizations.unit": ALL,
}
# Foreign keys to these models are named only when the reader may see the target (staff: `persons`).
PERSON_MODEL = "people.person"
ACCOUNT_MODEL = "accounts.user"
EMPTY = {None, "", "None", "**ne"}  # "**ne": auditlog's default mask of "None", in entries written before
TRUNCATE = 80


@dataclass
class HistoryItem:
    at: datetime
    actor: str
    headline: str
    model: str
    record: str
    sentences: list[str] = field(default_factory=list)
    link: str = ""  # where the headline leads, when the reader may open it (a roster import, to its uploader)


def mask_for_log(value: str) -> str:
    """AUDITLOG_MASK_CALLABLE: what a masked field's value is stored as (138****5678; empty stays empty)."""
    if value in EMPTY:
        return ""
    return phones.mask_phone(value)


def _show_masked(value: str) -> str:
    """A masked field's stored value as shown: entries written with auditlog's default mask (the first half
    starred) keep only their last four characters."""
    if "*" not in value:
        return phones.mask_phone(value)
    if not value.startswith("*"):  # masked by mask_for_log
        return value
    return "****" + value[-4:]


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _concrete_field(model, name: str):
    try:
        f = model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - a field removed since the entry was written
        return None
    return f if getattr(f, "concrete", False) and not f.many_to_many and not f.primary_key else None


def _value_shown(model, name: str, mode_values: bool) -> bool:
    if mode_values:
        return True
    allowed = AUDITOR_VALUES.get(_label(model), frozenset())
    return allowed == ALL or name in allowed


class _Names:
    """Names of the records foreign keys point to, fetched once per model for a page of entries."""

    def __init__(self, persons: QuerySet | None, values: bool):
        self.persons = persons
        self.values = values
        self.wanted: dict[type[models.Model], set[str]] = defaultdict(set)
        self.found: dict[tuple[type[models.Model], str], str] = {}

    def want(self, target, pk: str) -> None:
        self.wanted[target].add(pk)

    def fetch(self) -> None:
        for target, pks in self.wanted.items():
            if _label(target) == PERSON_MODEL:
                if self.persons is None:
                    continue
                rows = self.persons.filter(pk__in=pks).values_list("pk", "name")
            elif _label(target) == ACCOUNT_MODEL:
                rows = [(u.pk, u.username if not self.values else str(u))
                        for u in target._default_manager.filter(pk__in=pks)]
            else:
                rows = [(o.pk, str(o)) for o in target._default_manager.filter(pk__in=pks)]
            for pk, name in rows:
                self.found[(target, str(pk))] = name

    def name(self, target, pk: str) -> str:
        return self.found.get((target, pk)) or _("record #%(pk)s") % {"pk": pk}


def _display(f, value, masked: bool, names: _Names) -> str:
    if masked:
        return _show_masked(str(value))
    if f.is_relation:
        return names.name(f.related_model, str(value))
    if f.choices:
        choices = {str(k): v for k, v in f.flatchoices}
        return str(choices.get(str(value), value))
    if isinstance(f, models.BooleanField):
        return _("yes") if str(value) == "True" else _("no")
    if isinstance(f, models.DateTimeField):
        parsed = parse_datetime(str(value))
        if parsed is not None:
            if timezone.is_naive(parsed):  # auditlog stores UTC without the zone
                parsed = timezone.make_aware(parsed, UTC)
            return formats.date_format(timezone.localtime(parsed), "Y-m-d H:i")
    if isinstance(f, models.DateField):
        parsed = parse_date(str(value))
        if parsed is not None:
            return formats.date_format(parsed, "Y-m-d")
    text = str(value)
    if f.name == "id_number_masked" or f.name == "id_number":
        return text if "*" in text else idnumber.mask(text)
    return text if len(text) <= TRUNCATE else text[:TRUNCATE] + "…"


def _is_empty(f, value) -> bool:
    return value in EMPTY or (isinstance(f, models.BooleanField) and str(value) == "False")


TREE_POSITION = {"path", "depth", "numchild"}


def _tree_parent(model, path) -> str:
    parent_path = str(path or "")[: -model.steplen]
    if not parent_path:
        return _("the top level")
    parent = model.objects.filter(path=parent_path).first()
    return str(parent) if parent is not None else "—"


def _sentences(entry, model, changes: dict, masked_fields: set[str], names: _Names, values: bool) -> list[str]:
    out = []
    creating = entry.action == entry.Action.CREATE
    order = {f.name: i for i, f in enumerate(model._meta.fields)}
    for name, pair in sorted(changes.items(), key=lambda kv: order.get(kv[0], len(order))):
        if name in TREE_POSITION and hasattr(model, "steplen"):
            # A treebeard node's place is its materialised path: say where it moved, never the path itself.
            if name == "path" and not creating and isinstance(pair, (list, tuple)) and len(pair) == 2:
                out.append(_("Moved under %(parent)s") % {"parent": _tree_parent(model, pair[1])})
            continue
        f = _concrete_field(model, name)
        if f is None or not isinstance(pair, (list, tuple)) or len(pair) != 2:
            continue  # reverse relations, many-to-many, fields since removed
        old, new = pair
        if creating and _is_empty(f, new):
            continue
        label = capfirst(str(f.verbose_name))
        if not _value_shown(model, name, values):
            if new in EMPTY:
                out.append(_("Cleared %(field)s") % {"field": label})
            elif old in EMPTY or creating:
                out.append(_("Filled in %(field)s") % {"field": label})
            else:
                out.append(_("Changed %(field)s") % {"field": label})
            continue
        masked = name in masked_fields
        if new in EMPTY:
            out.append(_("Cleared %(field)s") % {"field": label})
        elif creating or (old in EMPTY and not isinstance(f, models.BooleanField)):
            out.append(_("Filled in %(field)s: %(value)s") % {
                "field": label, "value": _display(f, new, masked, names)})
        else:
            out.append(_("Changed %(field)s from %(old)s to %(new)s") % {
                "field": label, "old": _display(f, old, masked, names), "new": _display(f, new, masked, names)})
    return out


def _masked_fields(model) -> set[str]:
    from auditlog.registry import auditlog

    if model is None or not auditlog.contains(model):
        return set()
    return set(auditlog.get_model_fields(model)["mask_fields"])


def render(entries, *, values: bool = True, persons: QuerySet | None = None) -> list[HistoryItem]:
    """LogEntries (with actor and content_type selected) → HistoryItems, newest first as given.

    `values=False` is the auditor's mode (no values of personal fields); `persons` is the queryset of persons
    the reader may see: a foreign key to a person outside it is shown by its number only."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    entries = list(entries)
    ready = {i: entry for i, entry in enumerate(entries) if isinstance(entry, HistoryItem)}  # see `merge`
    if ready:
        entries = [entry for entry in entries if not isinstance(entry, HistoryItem)]
    names = _Names(persons, values)
    parsed = []
    for entry in entries:
        model = ContentType.objects.get_for_id(entry.content_type_id).model_class() if entry.content_type_id else None
        changes = entry.changes_dict if model is not None else {}
        parsed.append((entry, model, changes))
        if model is None or entry.action == LogEntry.Action.DELETE:
            continue
        for name, pair in changes.items():
            f = _concrete_field(model, name)
            if f is not None and f.is_relation and isinstance(pair, (list, tuple)) and \
                    _value_shown(model, name, values):
                for value in pair:
                    if value not in EMPTY:
                        names.want(f.related_model, str(value))
    names.fetch()
    headlines = {
        LogEntry.Action.CREATE: _("Created"), LogEntry.Action.UPDATE: _("Changed"),
        LogEntry.Action.DELETE: _("Deleted"), LogEntry.Action.ACCESS: _("Viewed"),
    }
    items = []
    for entry, model, changes in parsed:
        label = capfirst(str(model._meta.verbose_name)) if model is not None else _("Removed kind of record")
        record = _("record #%(pk)s") % {"pk": entry.object_pk}
        if model is not None and (values or AUDITOR_VALUES.get(_label(model)) == ALL) and \
                _label(model) != PERSON_MODEL:
            record = entry.object_repr or record
        if model is not None and _label(model) == PERSON_MODEL and values:
            record = entry.object_repr or record
        sentences = []
        if model is not None and entry.action in (LogEntry.Action.CREATE, LogEntry.Action.UPDATE):
            sentences = _sentences(entry, model, changes, _masked_fields(model), names, values)
        actor = entry.actor
        actor_name = (actor.username if not values else str(actor)) if actor is not None else _("the system")
        items.append(HistoryItem(
            at=timezone.localtime(entry.timestamp), actor=actor_name,
            headline=_("%(action)s %(model)s") % {"action": headlines.get(entry.action, ""), "model": label}, model=label, record=record, sentences=sentences))
    for i, item in sorted(ready.items()):
        items.insert(i, item)
    return items


def person_imports(person_pk: int, *, viewer, limit: int = 50) -> list[HistoryItem]:
    """The roster imports that created or changed a person, as history items, newest first:
    "由花名册导入 #12（王科长）新增". The uploader is named by display name; the import is linked only for
    its uploader (imports are visible to nobody else). No value of the person is in it."""
    from django.urls import reverse

    from jinqiu.people.models import ImportedAction, ImportedPerson

    rows = (ImportedPerson.objects.filter(person_id=person_pk).select_related("roster_import__actor")
            .order_by("-at", "-pk")[:limit])
    items = []
    for row in rows:
        imp = row.roster_import
        uploader = str(imp.actor) if imp.actor is not None else _("the system")
        words = {"id": imp.pk, "actor": uploader}
        headline = (_("Created by roster import #%(id)s (%(actor)s)") if row.action == ImportedAction.CREATED
                    else _("Changed by roster import #%(id)s (%(actor)s)")) % words
        mine = imp.actor_id is not None and imp.actor_id == getattr(viewer, "pk", None)
        items.append(HistoryItem(
            at=timezone.localtime(row.at), actor="", headline=headline, model=_("Roster import"),
            record=_("record #%(pk)s") % {"pk": person_pk},
            link=reverse("rosters:detail", args=[imp.pk]) if mine else ""))
    return items


def merge(entries, items: list[HistoryItem], *, limit: int = 50) -> list:
    """LogEntries (newest first) and ready HistoryItems (newest first) in one list, newest first, at most
    `limit`: `render` renders the entries and keeps the items where they stand."""
    def when(x):
        return x.at if isinstance(x, HistoryItem) else x.timestamp

    return sorted([*entries, *items], key=when, reverse=True)[:limit]
