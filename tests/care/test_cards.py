"""联系卡: a PDF with the person's contacts, four to a sheet; a community at once; logged; scoped."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jinqiu.accounts.models import AccessLog
from jinqiu.care import cards
from jinqiu.people.models import Person

pytestmark = pytest.mark.django_db


def test_card_names_the_pair_contact_and_the_community_worker(world):
    [card] = cards.cards_for([world.zhang])
    assert [c.name for c in card.pair_contacts] == ["pair"]
    assert [c.name for c in card.workers] == ["street"]


def test_person_card_is_a_pdf_and_logged(client_for, world):
    answer = client_for("pair").get(reverse("care:card", kwargs={"pk": world.zhang.pk}))
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")
    assert AccessLog.objects.filter(user=world.users["pair"], action="export").exists()


def test_community_cards_four_to_a_sheet(client_for, world):
    from tests.factories import make_person

    for i in range(4):
        make_person(f"卡片{i}", region=world.community)
    answer = client_for("street").get(reverse("care:cards"), {"region": world.community.pk})
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
    persons = list(Person.objects.filter(region=world.community, status="active"))
    assert len(persons) == 6  # 张三, 赵六 and four more: two A4 sheets, every card whole on its sheet
    document = cards.render_document(cards.cards_for(persons))
    assert len(document.pages) == 2
    assert all(page.width == pytest.approx(210 / 25.4 * 96, rel=0.01) for page in document.pages)


def test_community_out_of_scope_is_refused_as_an_invalid_choice(client_for, world):
    answer = client_for("street").get(reverse("care:cards"), {"region": world.other_community.pk})
    assert answer.status_code == 400
    assert not AccessLog.objects.filter(action="export").exists()
