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
