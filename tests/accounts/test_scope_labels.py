from django.urls import reverse


def test_an_accounts_organisation_scopes_read_with_their_parents(world, client_for):
    page = client_for("secadmin").get(reverse("accounts:user", args=[world.users["secretary"].pk])).content.decode()
    assert f"{world.street_org.name} › {world.branch.name}" in page
