"""The person list runs a fixed number of queries, whatever the rows show."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from jinqiu.people import services
from tests.factories import make_person


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_person_list_query_count_does_not_grow_with_rows(world, client_for, django_assert_max_num_queries):
    client = client_for("street")
    few = _count(client, "/persons/")
    for i in range(50):
        person = make_person(f"测试{i:02d}", region=world.community, org=world.branch, birth=date(1945, 1, 1 + i % 28),
                             mobile=f"1390000{i:04d}", living="alone" if i % 3 else "spouse")
        if i % 5 == 0:
            services.membership_join(actor=None, person=person, org=world.functional, on=date(2020, 1, 1))
    many = _count(client, "/persons/")
    assert many == few
    with django_assert_max_num_queries(few):
        client.get("/persons/?q=cs&party=yes")


def test_home_page_query_count_is_fixed(world, client_for):
    client = client_for("bureau")
    client.get("/")  # the organisational-life panel is cached once computed: compare warm pages
    before = _count(client, "/")
    for i in range(20):
        make_person(f"首页{i:02d}", region=world.community2, org=world.neighbor_branch, birth=date(1930 + i, 2, 2))
    assert _count(client, "/") == before


def test_unit_list_counts_each_units_persons_in_scope_with_fixed_queries(world, client_for):
    from jinqiu.organizations import services as org_services

    bureau = client_for("bureau")
    few = _count(bureau, "/orgs/units/")
    for i in range(30):
        unit = org_services.unit_create(actor=None, fields={"name": f"测试单位{i:02d}", "kind": "agency",
                                                            "region": world.district})
        make_person(f"单位{i:02d}", region=world.community if i % 2 else world.other_community, org=None,
                    original_unit=unit, birth=date(1940, 1, 1 + i % 28))
    assert _count(bureau, "/orgs/units/") == few
    page = bureau.get("/orgs/units/?q=测试单位0").content.decode()
    assert page.count('?unit=') == 10
    rows = {u.name: u.retiree_count for u in bureau.get("/orgs/units/?q=测试单位").context["page"].object_list}
    assert sum(rows.values()) == 30 and set(rows.values()) == {1}
    street = client_for("street")  # the same test client, logged in again
    rows = {u.name: u.retiree_count for u in street.get("/orgs/units/?q=测试单位").context["page"].object_list}
    assert sum(rows.values()) == 15  # the street sees the persons living in its communities only
