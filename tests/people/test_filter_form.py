"""The person list's organisation and region selects stay short on a large tree, and still filter by any node."""

import re

from jinqiu.people import forms


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"', select)


def test_long_selects_offer_the_upper_levels_and_the_chosen_node(world, client_for, monkeypatch):
    monkeypatch.setattr(forms, "FILTER_OPTIONS_MAX", 4)  # the world has 7 organisations on three levels
    client = client_for("bureau")
    html = client.get("/persons/").content.decode()
    offered = _options(html, "org")
    assert str(world.root.pk) in offered and str(world.street_org.pk) in offered
    assert str(world.branch.pk) not in offered  # a third-level branch is not offered in the short list...
    response = client.get(f"/persons/?org={world.branch.pk}")
    html = response.content.decode()
    assert str(world.branch.pk) in _options(html, "org")  # ...but stays selectable once chosen
    assert f'<option value="{world.branch.pk}" selected>' in html
    names = {p.name for p in response.context["page"].object_list}
    assert names == {"张三"}


def test_short_selects_offer_every_node(world, client_for):
    html = client_for("street").get("/persons/").content.decode()
    offered = _options(html, "org")
    assert {str(world.street_org.pk), str(world.branch.pk), str(world.neighbor_branch.pk)} <= set(offered)
    assert str(world.other_branch.pk) not in offered
