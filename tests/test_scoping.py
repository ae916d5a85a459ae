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
