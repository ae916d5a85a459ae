"""A search's first page counts its hits without a COUNT when they fit on it, and pages right when not."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_person


def test_few_hits_are_counted_from_the_page(world, client_for):
    client = client_for("street")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/persons/?q=zs")
    assert [p.name for p in response.context["page"].object_list] == ["张三"]
    assert response.context["total"] == 1
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert not [sql for sql in counts if "people_person" in sql]


def test_many_hits_are_counted_and_paged(world, client_for):
    for i in range(60):
        make_person(f"测试{i:02d}", region=world.community, org=world.branch, birth=date(1940, 1, 1 + i % 28))
    client = client_for("street")
    first = client.get("/persons/?q=cs")
    assert first.context["total"] == 60
    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].has_next()
    second = client.get("/persons/?q=cs&page=2")
    assert second.context["total"] == 60
    assert len(second.context["page"].object_list) == 10
    names = {p.name for p in first.context["page"].object_list} | {p.name for p in second.context["page"].object_list}
    assert len(names) == 60
