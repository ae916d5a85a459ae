from jinqiu.accounts.scoping import visible_orgs, visible_persons


def names(qs):
    return sorted(qs.values_list("name", flat=True))


def test_each_persona_sees_exactly_its_scope(world):
    u = world.users
    assert names(visible_persons(u["bureau"])) == ["张三", "李四", "王五", "赵六"]
    assert names(visible_persons(u["street"])) == ["张三", "李四", "赵六"]
    assert names(visible_persons(u["secretary"])) == ["张三"]
    assert names(visible_persons(u["neighbor"])) == ["李四"]
    assert names(visible_persons(u["pair"])) == ["张三"]
    assert names(visible_persons(u["member"])) == ["张三"]
    for admin in ("sysadmin", "secadmin", "auditor"):
        assert not visible_persons(u[admin]).exists()


def test_participating_member_is_visible_to_the_functional_branch_but_counted_once(world):
    from datetime import date

    from jinqiu.people import services

    services.membership_join(actor=None, person=world.wang, org=world.functional, on=date(2020, 1, 1))
    secretary = world.users["bureau"]
    assert visible_persons(secretary).filter(name="王五").count() == 1


def test_orgs_visible_by_subtree(world):
    assert "河东社区离退休干部党支部" not in names(visible_orgs(world.users["street"]))
    assert names(visible_orgs(world.users["secretary"])) == ["新东社区离退休干部党支部"]
    assert not visible_orgs(world.users["pair"]).exists()


def test_org_scope_covering_a_subtree_is_recognised(world):
    from jinqiu.accounts.scoping import sees_all_members_of

    u = world.users
    assert sees_all_members_of(u["bureau"], world.branch)
    assert sees_all_members_of(u["street"], world.branch) and not sees_all_members_of(u["street"], world.other_branch)
    assert sees_all_members_of(u["secretary"], world.branch)
    assert not sees_all_members_of(u["secretary"], world.street_org)
    assert not sees_all_members_of(u["neighbor"], world.branch)
    for persona in ("pair", "member", "sysadmin", "auditor"):
        assert not sees_all_members_of(u[persona], world.branch)


def test_org_totals_are_the_same_with_and_without_the_covered_shortcut(world):
    from datetime import date

    from jinqiu.people import selectors, services

    services.membership_join(actor=None, person=world.wang, org=world.functional, on=date(2020, 1, 1))
    services.membership_join(actor=None, person=world.zhang, org=world.functional, on=date(2020, 1, 1))
    for persona, org in (("bureau", world.root), ("street", world.street_org), ("secretary", world.branch)):
        user = world.users[persona]
        orgs = visible_orgs(user)
        assert selectors.org_subtree_totals(org, orgs, None) == \
            selectors.org_subtree_totals(org, orgs, visible_persons(user))
    totals = selectors.org_subtree_totals(world.root, visible_orgs(world.users["bureau"]), None)
    assert (totals["primary"], totals["participating"]) == (3, 2)  # 张三, 李四, 王五; 赵六 has no relation
