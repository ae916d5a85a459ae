"""联系卡 (seed 001 "发放联系卡"): a card for each person with their pair contact, community workers, the bureau's
hotline and the emergency numbers, four to an A4 sheet in large type, drawn as HTML and printed to PDF by
WeasyPrint (Chinese text needs a CJK font on the server: fonts-noto-cjk)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.template.loader import render_to_string

from jinqiu.accounts.models import Pairing, Role
from jinqiu.people.models import Person

from .services.tasks import responsible_users


@dataclass
class Contact:
    name: str
    phone: str


@dataclass
class Card:
    person: Person
    pair_contacts: list[Contact] = field(default_factory=list)
    workers: list[Contact] = field(default_factory=list)


def _contact(user) -> Contact:
    person = getattr(user, "person", None)
    return Contact(name=str(user), phone=(person.mobile or person.phone) if person else "")


def cards_for(persons: list[Person]) -> list[Card]:
    pairings: dict[int, list] = {}
    for pairing in (Pairing.objects.filter(person__in=persons, ended_on__isnull=True, contact__is_active=True)
                    .select_related("contact__person").order_by("started_on", "id")):
        pairings.setdefault(pairing.person_id, []).append(_contact(pairing.contact))
    workers_by_region: dict[int | None, list[Contact]] = {}
    cards = []
    for person in persons:
        if person.region_id not in workers_by_region:
            workers_by_region[person.region_id] = [_contact(u) for u in responsible_users(person, Role.STREET)][:2]
        cards.append(Card(person=person, pair_contacts=pairings.get(person.pk, [])[:2],
                          workers=workers_by_region[person.region_id]))
    return cards


PER_SHEET = 4


def render_document(cards: list[Card]):
    """The laid-out document (WeasyPrint): `.pages` are the A4 sheets."""
    from weasyprint import HTML  # imported here: it loads Pango, which only these pages need

    html = render_to_string("care/cards.html", {
        "sheets": [cards[i:i + PER_SHEET] for i in range(0, len(cards), PER_SHEET)],
        "hotline": settings.JINQIU_CARE_HOTLINE})
    return HTML(string=html).render()


def render_pdf(cards: list[Card]) -> bytes:
    return render_document(cards).write_pdf()
