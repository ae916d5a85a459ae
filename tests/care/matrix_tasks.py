"""Scope matrix entries for the care pages of tasks, rules, pairing gaps, a person's care page, visits and
hospital stays (care/views/tasks.py and care/views/visits.py)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.matrix import BUREAU_READ, SEES_STRUCTURE, SEES_WANG, SEES_ZHANG, STAFF, Case, on_person

READERS = {"bureau", "street", "secretary", "pair", "leader"}  # staff who see 张三
VISITORS = {"bureau", "street", "secretary", "pair"}  # care.permissions.VISIT_ROLES
MANAGERS = {"bureau", "street"}
CARE = {"bureau", "street", "pair"}  # care duties: health details

# The smallest valid PNG (1 x 1), for a visit's photo.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")


def _task(person_attr: str):
    def kwargs(w):
        from jinqiu.care import services

        person = getattr(w, person_attr)
        task = services.task_for_event(actor=None, person=person, kind="illness", key="matrix",
                                       event_on=timezone.localdate() - timedelta(days=1))
        return {"pk": task.pk}
    return kwargs


def _rule(w):
    from jinqiu.care import services

    return {"pk": services.ensure_rules()["birthday"].pk}


def _visit_obj(person):
    from django.core.files.base import ContentFile

    from jinqiu.care.models import Visit, VisitPhoto

    visit = Visit.objects.filter(person=person, place="矩阵").first()
    if visit is None:
        at = timezone.now() - timedelta(days=1)
        visit = Visit.objects.create(person=person, visited_at=at, visited_on=timezone.localdate(at), place="矩阵",
                                     money=200, findings="血压偏高")
        photo = VisitPhoto(visit=visit, name="照片.png", size=len(PNG))
        photo.file.save("照片.png", ContentFile(PNG), save=True)
    return visit


def _visit(person_attr: str):
    return lambda w: {"pk": _visit_obj(getattr(w, person_attr)).pk}


def _photo(person_attr: str):
    def kwargs(w):
        visit = _visit_obj(getattr(w, person_attr))
        return {"pk": visit.pk, "photo_pk": visit.photos.first().pk}
    return kwargs


def _stay(person_attr: str):
    def kwargs(w):
        from jinqiu.care.models import Hospitalisation

        person = getattr(w, person_attr)
        stay = Hospitalisation.objects.filter(person=person).first() or Hospitalisation.objects.create(
            person=person, admitted_on=timezone.localdate() - timedelta(days=2), hospital="市第一人民医院",
            ward="心内科 12 床", condition="冠心病")
        return {"pk": stay.pk}
    return kwargs


def _on(allowed_in, allowed_out, inside, outside, **kw) -> Case:
    return Case(set(allowed_in), set(allowed_out), inside, outside, sees_in=SEES_ZHANG, sees_out=SEES_WANG, **kw)


MATRIX: dict[str, Case] = {
    "care:tasks": Case(STAFF),
    "care:task_export": Case(STAFF),
    "care:task": _on(READERS, BUREAU_READ, _task("zhang"), _task("wang")),
    "care:task_exempt": _on(MANAGERS, {"bureau"}, _task("zhang"), _task("wang"), method="post",
                            data={"reason": "家属已电话联系"}),
    "care:task_assign": _on(MANAGERS, {"bureau"}, _task("zhang"), _task("wang"), method="post",
                            data=lambda w: {"assignee": w.users["bureau"].pk}),
    "care:rules": Case(STAFF),
    "care:rule_edit": Case({"bureau"}, {"bureau"}, _rule, _rule, sees_in=SEES_STRUCTURE, sees_out=SEES_STRUCTURE),
    "care:unpaired": Case(STAFF),
    "care:unpaired_export": Case(STAFF),
    "care:person": on_person(READERS, BUREAU_READ),
    "care:visit_create": on_person(VISITORS, {"bureau"}),
    "care:hospital_create": on_person(VISITORS, {"bureau"}, data={"hospital": "市第二人民医院"}),
    "care:hospital_edit": _on(CARE, {"bureau"}, _stay("zhang"), _stay("wang")),
    "care:visits": Case(STAFF),
    "care:visit_export": Case(STAFF),
    "care:visit": _on(READERS, BUREAU_READ, _visit("zhang"), _visit("wang")),
    "care:visit_photo": _on(READERS, BUREAU_READ, _photo("zhang"), _photo("wang")),
}
