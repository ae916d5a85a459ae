"""Round trip: a roster exported with full values by an allowed user imports back into identical persons."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from jinqiu.people.models import Person
from jinqiu.people.rosters import importer
from tests.factories import make_person

FIELDS = ("name", "gender", "ethnicity", "birth_date", "original_unit_name", "original_position", "retirement_type",
          "retirement_date", "is_party_member", "joined_party_on", "address", "mobile", "phone", "health", "living",
          "note")


def snapshot(person: Person) -> dict:
    primary = person.memberships.filter(kind="primary", ended_on__isnull=True).select_related("org").first()
    return {**{f: getattr(person, f) for f in FIELDS}, "id_number": person.id_number,
            "org": primary.org.name if primary else None}


def test_full_roster_round_trip(world, client_for, tmp_path):
    make_person("張桂蘭", gender="F", birth=date(1938, 2, 28), region=world.community, org=world.branch,
                retirement_type="lixiu", retirement_date=date(1990, 6, 1), address="=HYPERLINK(1)",
                note="+1 兼职\n第二行", original_unit_name="已撤销的区化肥厂", original_position="厂长",
                health="poor", living="empty_nest", phone="05188123456", ethnicity="回族")
    make_person("钱多多", region=world.community, org=world.neighbor_branch, note="@home", mobile="13900001111",
                original_position="-")
    url = reverse("organizations:roster_export_full", args=[world.root.pk])
    response = client_for("bureau").post(url, {"reason": "迁移到新系统"})
    assert response.status_code == 200
    path = tmp_path / "roster.xlsx"
    path.write_bytes(b"".join(response.streaming_content))

    members = Person.objects.filter(memberships__org__path__startswith=world.root.path,
                                    memberships__ended_on__isnull=True).distinct()
    before = {p.id_number: snapshot(p) for p in members}
    assert len(before) == 5  # 张三, 李四, 王五 and the two above
    members.delete()
    assert not Person.objects.filter(name__in=["張桂蘭", "钱多多"]).exists()

    analysis = importer.commit(actor=world.users["bureau"], path=path, file_name="roster.xlsx")
    assert analysis.errors == [] and analysis.counts["rejected"] == 0, analysis.errors
    assert analysis.counts["new"] == 5
    after = {p.id_number: snapshot(p) for p in Person.objects.filter(name__in=[v["name"] for v in before.values()])}
    assert after == before
