"""六必访 rules with a frozen clock: birthdays (solar, 29 February, lunar across the new year, 100 and 101),
hospital stays, deaths, idempotent generation, withdrawal, missed tasks and escalation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from jinqiu.care import calendar, services
from jinqiu.care.models import Escalation, RuleKind, TaskStatus, VisitTask
from jinqiu.care.selectors import overdue_tasks
from jinqiu.care.tasks import run_daily
from jinqiu.notifications.models import Message
from jinqiu.people import services as people_services
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def birthday_tasks(person) -> list[VisitTask]:
    return list(VisitTask.objects.filter(person=person, kind=RuleKind.BIRTHDAY).order_by("event_on"))


# The calendar alone ------------------------------------------------------------------------------------

def test_milestones_are_70_to_100_by_fives_then_every_year():
    assert [a for a in range(60, 110) if calendar.is_milestone(a)] == [70, 75, 80, 85, 90, 95, 100, *range(101, 110)]


def test_29_february_falls_on_28_february_in_a_common_year_and_stays_in_a_leap_year():
    born = date(1948, 2, 29)
    assert calendar.solar_birthday(born, 80) == date(2028, 2, 29)  # 2028 is a leap year
    assert calendar.solar_birthday(born, 75) == date(2023, 2, 28)


def test_lunar_birthday_in_the_twelfth_month_falls_in_the_next_solar_year():
    born = date(1946, 1, 20)  # 1945 腊月十八: the lunar year of birth is 1945
    assert calendar.lunar_of(born) == (1945, 12, 18)
    day = calendar.lunar_birthday(born, 80)  # lunar 2025 腊月十八
    assert day == date(2026, 2, 5)
    assert calendar.solar_birthday(born, 80) == date(2026, 1, 20)


def test_lunar_thirtieth_in_a_short_month_falls_on_the_29th():
    from lunar_python import LunarMonth

    born = date(1946, 1, 31)  # 1945 腊月廿九 … find a 30th: walk to one
    for offset in range(60):
        candidate = born + timedelta(days=offset)
        if calendar.lunar_of(candidate)[2] == 30:
            born = candidate
            break
    year, month, _day = calendar.lunar_of(born)
    for age in range(70, 110):
        if LunarMonth.fromYm(year + age, month).getDayCount() == 29:
            assert calendar.lunar_birthday(born, age)  # no error: the 29th is used
            break
    else:  # pragma: no cover - the calendar always has short months
        pytest.fail("no short month found")


# Generation --------------------------------------------------------------------------------------------

def test_birthday_task_appears_seven_days_ahead_and_once_however_often_the_job_runs(world):
    person = make_person("寿星", birth=date(1946, 12, 20), region=world.community)
    with time_machine.travel(date(2026, 12, 12), tick=False):  # eight days before: nothing yet
        services.generate_birthday_tasks()
        assert birthday_tasks(person) == []
    with time_machine.travel(date(2026, 12, 13), tick=False):  # seven days before
        assert services.generate_birthday_tasks() >= 1
        assert services.generate_birthday_tasks() == 0
        run_daily()
    tasks = birthday_tasks(person)
    assert len(tasks) == 1
    task = tasks[0]
    assert (task.event_on, task.earliest, task.event_key) == (date(2026, 12, 20), date(2026, 12, 13), "birthday:80")
    assert "80" in task.title
    assert task.assignee is None  # no pair contact: the community visits


def test_birthday_task_goes_to_the_pair_contact(world):
    with time_machine.travel(date(2030, 4, 25), tick=False):  # 张三 is 80 on 2030-05-01
        services.generate_birthday_tasks()
    task = VisitTask.objects.get(person=world.zhang, kind=RuleKind.BIRTHDAY)
    assert task.assignee == world.users["pair"]


def test_29_february_birthday_in_a_common_year(world):
    person = make_person("闰日", birth=date(1952, 2, 29),
                         region=world.community)
    with time_machine.travel(date(2027, 2, 21), tick=False):  # 75 on 2027-02-28 (2027 is not a leap year)
        services.generate_birthday_tasks()
    assert [(t.event_on, t.event_key) for t in birthday_tasks(person)] == [(date(2027, 2, 28), "birthday:75")]


def test_a_hundred_and_a_hundred_and_one_each_get_a_task(world):
    hundred = make_person("百岁", birth=date(1926, 6, 10), region=world.community)
    hundred_one = make_person("百零一", birth=date(1925, 6, 10), region=world.community)
    ninety_nine = make_person("九十九", birth=date(1927, 6, 10), region=world.community)
    with time_machine.travel(date(2026, 6, 5), tick=False):
        services.generate_birthday_tasks()
    assert [t.event_key for t in birthday_tasks(hundred)] == ["birthday:100"]
    assert [t.event_key for t in birthday_tasks(hundred_one)] == ["birthday:101"]
    assert birthday_tasks(ninety_nine) == []
    assert birthday_tasks(hundred)[0].leader_visit  # 90 and over: a bureau leader visits


def test_lunar_birthday_across_the_new_year(world):
    person = make_person("农历", birth=date(1946, 1, 20), region=world.community, lunar_birthday=True)
    with time_machine.travel(date(2026, 1, 15), tick=False):  # the solar birthday is near: not this one
        services.generate_birthday_tasks()
        assert birthday_tasks(person) == []
    with time_machine.travel(date(2026, 1, 30), tick=False):  # 2026-02-05 = lunar 2025 腊月十八
        services.generate_birthday_tasks()
    assert [(t.event_on, t.event_key) for t in birthday_tasks(person)] == [(date(2026, 2, 5), "birthday:80")]


def test_hospital_stay_makes_a_task_due_in_three_days(world):
    with time_machine.travel(date(2026, 3, 10), tick=False):
        stay = services.hospitalisation_record(actor=world.users["street"], person=world.zhang, fields={
            "admitted_on": date(2026, 3, 9), "hospital": "市第一人民医院"})
    task = VisitTask.objects.get(person=world.zhang, kind=RuleKind.ILLNESS)
    assert task.event_key == f"hospital:{stay.pk}"
    assert (task.due_on, task.status) == (date(2026, 3, 12), TaskStatus.OPEN)
    assert task.assignee == world.users["pair"]


def test_death_on_a_weekend_makes_a_family_visit_and_withdraws_the_rest(world):
    with time_machine.travel(date(2026, 3, 10), tick=False):
        services.hospitalisation_record(actor=world.users["street"], person=world.zhang, fields={
            "admitted_on": date(2026, 3, 9), "hospital": "市第一人民医院"})
    with time_machine.travel(date(2026, 3, 16), tick=False):
        people_services.person_record_death(actor=world.users["street"], person=world.zhang,
                                            died_on=date(2026, 3, 14))  # a Saturday
        run_daily()
    assert date(2026, 3, 14).weekday() == 5
    illness = VisitTask.objects.get(person=world.zhang, kind=RuleKind.ILLNESS)
    funeral = VisitTask.objects.get(person=world.zhang, kind=RuleKind.FUNERAL)
    assert (illness.status, illness.withdrawn_because) == (TaskStatus.WITHDRAWN, "died")
    assert (funeral.status, funeral.event_on, funeral.due_on) == (TaskStatus.OPEN, date(2026, 3, 14),
                                                                 date(2026, 3, 17))
    assert VisitTask.objects.filter(person=world.zhang, kind=RuleKind.FUNERAL).count() == 1


def test_no_birthday_task_for_the_dead(world):
    person = make_person("故去", birth=date(1946, 12, 20), region=world.community)
    with time_machine.travel(date(2026, 12, 1), tick=False):
        people_services.person_record_death(actor=world.users["street"], person=person, died_on=date(2026, 11, 30))
    with time_machine.travel(date(2026, 12, 14), tick=False):
        services.generate_birthday_tasks()
    assert birthday_tasks(person) == []


def test_a_visit_closes_the_task_it_answers(world):
    with time_machine.travel(date(2026, 3, 10), tick=False):
        services.hospitalisation_record(actor=world.users["street"], person=world.zhang, fields={
            "admitted_on": date(2026, 3, 9), "hospital": "市第一人民医院"})
    with time_machine.travel(date(2026, 3, 11), tick=False):
        from django.utils import timezone

        visit = services.visit_record(actor=world.users["pair"], person=world.zhang, fields={
            "visited_at": timezone.now() - timedelta(hours=1), "kind": "hospital", "findings": "恢复良好"})
    task = VisitTask.objects.get(person=world.zhang, kind=RuleKind.ILLNESS)
    assert (task.status, task.visit) == (TaskStatus.DONE, visit)
    assert list(visit.visitors.all()) == [world.users["pair"]]


def test_overdue_missed_and_escalation(world):
    with time_machine.travel(date(2026, 3, 10), tick=False):
        services.hospitalisation_record(actor=world.users["street"], person=world.zhang, fields={
            "admitted_on": date(2026, 3, 10), "hospital": "市第一人民医院"})
    task = VisitTask.objects.get(person=world.zhang, kind=RuleKind.ILLNESS)
    with time_machine.travel(date(2026, 3, 13), tick=False):  # the due day: not overdue yet
        assert not overdue_tasks(VisitTask.objects.all()).exists()
        run_daily()
        task.refresh_from_db()
        assert task.escalation == Escalation.NONE
    with time_machine.travel(date(2026, 3, 14), tick=False):  # a day late: the street is told
        assert overdue_tasks(VisitTask.objects.all()).get() == task
        run_daily()
        run_daily()
        task.refresh_from_db()
        assert task.escalation == Escalation.STREET
        assert Message.objects.filter(recipient=world.users["street"]).count() == 1
        assert not Message.objects.filter(recipient=world.users["bureau"]).exists()
    with time_machine.travel(date(2026, 3, 16), tick=False):  # three days late: the bureau
        run_daily()
        task.refresh_from_db()
        assert task.escalation == Escalation.BUREAU
        assert Message.objects.filter(recipient=world.users["bureau"]).count() == 1
        assert Message.objects.filter(recipient=world.users["street"]).count() == 1
    with time_machine.travel(task.latest + timedelta(days=1), tick=False):  # the window has passed
        run_daily()
        task.refresh_from_db()
        assert (task.status, task.closed_on) == (TaskStatus.MISSED, task.latest)
        assert not overdue_tasks(VisitTask.objects.all()).exists()


def test_exempt_needs_a_reason_and_a_role(world):
    from django.core.exceptions import ValidationError

    with time_machine.travel(date(2026, 3, 10), tick=False):
        services.hospitalisation_record(actor=world.users["street"], person=world.zhang, fields={
            "admitted_on": date(2026, 3, 10), "hospital": "市第一人民医院"})
        task = VisitTask.objects.get(person=world.zhang)
        with pytest.raises(ValidationError):
            services.task_exempt(actor=world.users["pair"], task=task, reason="家属婉拒")
        with pytest.raises(ValidationError):
            services.task_exempt(actor=world.users["street"], task=task, reason="  ")
        services.task_exempt(actor=world.users["street"], task=task, reason="家属婉拒探视")
    task.refresh_from_db()
    assert (task.status, task.reason) == (TaskStatus.EXEMPTED, "家属婉拒探视")


def test_rule_edit_applies_to_new_tasks_only_the_bureau_edits(world):
    from django.core.exceptions import ValidationError

    rule = services.ensure_rules()[RuleKind.ILLNESS]
    with pytest.raises(ValidationError):
        services.rule_update(actor=world.users["street"], rule=rule, fields={"due_days": 1})
    services.rule_update(actor=world.users["bureau"], rule=rule, fields={"due_days": 1})
    with time_machine.travel(date(2026, 3, 10), tick=False):
        services.hospitalisation_record(actor=world.users["street"], person=world.zhang, fields={
            "admitted_on": date(2026, 3, 10), "hospital": "市第一人民医院"})
    assert VisitTask.objects.get(person=world.zhang).due_on == date(2026, 3, 11)
