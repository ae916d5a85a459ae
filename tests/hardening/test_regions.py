"""A second top region is refused on the parent field (it answered 500), in the API and in the form."""

from __future__ import annotations

from jinqiu.regions.models import Region


def test_api_refuses_a_second_root_naming_the_parent(world, client_for):
    before = Region.objects.count()
    response = client_for("bureau").post("/api/regions", {"name": "东海县", "level": "district"},
                                         content_type="application/json")
    assert response.status_code == 422
    assert [d["field"] for d in response.json()["detail"]] == ["parent"]
    assert Region.objects.count() == before


def test_form_refuses_a_second_root_on_the_parent_field(world, client_for):
    response = client_for("bureau").post("/regions/new/", {"name": "东海县", "level": "district", "parent": ""})
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    assert not Region.objects.filter(name="东海县").exists()


def test_a_child_region_is_still_created(world, client_for):
    response = client_for("bureau").post("/api/regions", {"parent": world.street.pk, "name": "新南社区",
                                                          "level": "community"}, content_type="application/json")
    assert response.status_code == 201
