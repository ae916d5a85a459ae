"""Persons planted out of the personas' scopes, and the search for any trace of them in a response or a file.

Each planted person has a name, ID number, phones, address and a note found nowhere else, and is absent
(on leave, 住院治疗) from joint meetings with the personas' branches. Whether a persona may see one is asked of
the one scope function; `plant` also checks the few answers the sweep relies on.
"""

from __future__ import annotations

import base64
import io
import json
import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from jinqiu.accounts.scoping import visible_persons
from jinqiu.core import idnumber
from jinqiu.people.models import Person
from tests.factories import World, make_person


@dataclass
class Planted:
    person: Person
    id_number: str
    reason: str = ""  # the leave reason at the joint meetings

    def needles(self, *, with_id: bool = True) -> list[str]:
        """Every string that betrays this person: shown to someone who may not see them, it is a leak."""
        p = self.person
        found = [p.name, p.address, p.note, p.emergency_contact, p.joined_party_on.isoformat(),
                 f"{p.joined_party_on:%Y.%m}", f"{p.joined_party_on.year}年{p.joined_party_on.month}月"]
        if self.reason:
            found.append(self.reason)
        for phone in (p.mobile, p.phone, p.emergency_phone):
            found += phone_needles(phone, masked_too=True)
        if with_id:
            found += [self.id_number, self.id_number[-8:], p.id_number_masked]
        return [n for n in found if n]


def phone_needles(phone: str, *, masked_too: bool = False) -> list[str]:
    """The number in clear, and every run of six of its digits (more than the masked 3+4 ever shows)."""
    if not phone:
        return []
    runs = [phone[i:i + 6] for i in range(len(phone) - 5)]
    masked = [f"{phone[:3]}****{phone[-4:]}"] if masked_too else []
    return [phone, *runs, *masked]


@dataclass
class Sweep:
    world: World
    far: Planted  # other street (邻居甲乙): out of scope for all but the bureau
    near: Planted  # neighbouring branch, same street (邻座丙丁): out of scope for the branch secretary
    # Outside the district and the party tree (远客戊己), placed only by a 管理服务单位 that no persona's scope
    # holds: out of scope for the bureau too, and not 待归属 (which the bureau is meant to see and place).
    outside: Planted
    loose: Planted  # other street, no membership at all (散居庚辛): what the roster import used to take
    joint: object  # a joint meeting held by the branch with the neighbouring and the other street's branch
    joint_theirs: object  # a joint meeting held by the other street's branch, with the branch
    held_on: date = field(default_factory=timezone.localdate)
    care: dict = field(default_factory=dict)  # care records about the planted and the world's persons, by kind

    @property
    def planted(self) -> list[Planted]:
        return [self.far, self.near, self.outside, self.loose]

    def hidden_from(self, user) -> list[Planted]:
        seen = set(visible_persons(user).values_list("pk", flat=True))
        return [p for p in self.planted if p.person.pk not in seen]

    def hidden_world_ids(self, user) -> list[str]:
        """Clear ID numbers (and their last 8 digits) of the world's own persons this user may not see."""
        seen = set(visible_persons(user).values_list("pk", flat=True))
        out = []
        for p in Person.objects.exclude(pk__in=seen):
            clear = p.id_number
            if clear and clear not in {x.id_number for x in self.planted}:
                out += [clear, clear[-8:]]
        return out


def _id(birth: date, seq: int, gender: str = "M") -> str:
    return idnumber.generate(region_code="320706", birth_date=birth, sequence=seq, gender=gender)


def _plant(world, name, birth, seq, joined, **fields) -> Planted:
    id_number = _id(birth, seq)
    person = make_person(name, birth=birth, id_number=id_number, joined_party_on=joined, **fields)
    return Planted(person, id_number)


def plant(world: World) -> Sweep:
    from jinqiu.orglife import services as orglife
    from jinqiu.orglife.models import Attendance, MeetingType

    far = _plant(world, "邻居甲乙", date(1944, 8, 17), 731, date(1966, 4, 13), region=world.other_community,
                 org=world.other_branch, mobile="13987654321", phone="051887654329", address="河东社区幸福路八十八号甲乙楼",
                 note="甲乙的私密备注", emergency_contact="甲乙家属", emergency_phone="13700461139",
                 health="poor", living="alone")
    near = _plant(world, "邻座丙丁", date(1946, 11, 23), 743, date(1968, 9, 21), region=world.community2,
                  org=world.neighbor_branch, mobile="15912340987", address="新西社区丙丁巷七号",
                  note="丙丁的私密备注", health="bedridden")
    outside = _plant(world, "远客戊己", date(1947, 2, 26), 757, date(1970, 10, 19), region=None,
                     outside="外区某机关党支部", service_unit=world.unit, mobile="18655443392",
                     address="外区戊己路九号", note="戊己的私密备注")
    loose = _plant(world, "散居庚辛", date(1948, 5, 29), 769, date(1972, 6, 15), region=world.other_community,
                   mobile="17722334465", address="河东社区庚辛里三号", note="庚辛的私密备注", living="alone")

    held_on = timezone.localdate() - timedelta(days=1)
    kind = MeetingType.objects.get(code="zhuti-dangri")

    def hold(org, joint, place):
        return orglife.meeting_create(actor=None, org=org, held=True, joint_orgs=joint, fields={
            "meeting_type": kind, "place": place,
            "starts_at": timezone.make_aware(timezone.datetime(held_on.year, held_on.month, held_on.day, 9))})

    joint = hold(world.branch, [world.neighbor_branch, world.other_branch], "联合活动室")
    theirs = hold(world.other_branch, [world.branch], "河东活动室")
    far.reason, near.reason = "住院治疗（甲乙）", "住院治疗（丙丁）"
    for meeting in (joint, theirs):
        for row in Attendance.objects.filter(meeting=meeting):
            planted = {far.person.pk: far, near.person.pk: near}.get(row.person_id)
            if planted:
                orglife.attendance_set(actor=None, attendance=row, status="leave", reason=planted.reason)
            else:
                orglife.attendance_set(actor=None, attendance=row, status="present")
    sweep = Sweep(world, far, near, outside, loose, joint, theirs, held_on)
    sweep.care = _plant_care(world, [far, near, outside, loose])
    for p in sweep.planted:
        p.person.refresh_from_db()
    _check_the_ground(sweep)
    return sweep


def _plant_care(world: World, planted: list[Planted]) -> dict:
    """For each planted person and 张三: a hospital stay (so a visit task), a visit with what was found, a
    request; and a Spring Festival campaign over the whole district (its targets include the planted)."""
    from jinqiu.care import services as care
    from jinqiu.care.models import VisitTask

    today = timezone.localdate()
    bureau = world.users["bureau"]
    found: dict[str, list] = {"tasks": [], "visits": [], "requests": [], "campaigns": []}
    for person in [world.zhang] + [p.person for p in planted]:
        stay = care.hospitalisation_record(actor=bureau, person=person, fields={
            "admitted_on": today - timedelta(days=1), "hospital": f"{person.name}所住医院"})
        found["tasks"].append(VisitTask.objects.get(event_key=f"hospital:{stay.pk}").pk)
        found["visits"].append(care.visit_record(actor=bureau, person=person, task_ids=[], fields={
            "visited_at": timezone.now() - timedelta(hours=3), "kind": "home",
            "findings": f"{person.name}家中情况"}).pk)
        found["requests"].append(care.request_create(actor=bureau, person=person, fields={
            "source": "phone", "category": "medical", "summary": f"{person.name}的诉求"}).pk)
    found["campaigns"].append(care.campaign_create(actor=bureau, fields={
        "name": "全区春节走访慰问", "kind": "spring", "starts_on": today - timedelta(days=3),
        "ends_on": today + timedelta(days=20), "root_region": world.district, "include_orgs": True}).pk)
    return found


def _check_the_ground(sweep: Sweep) -> None:
    """What the sweep takes for granted: each persona has someone planted out of their scope."""
    users = sweep.world.users
    hidden = {name: {p.person.name for p in sweep.hidden_from(user)} for name, user in users.items()}
    assert {"邻居甲乙", "远客戊己", "散居庚辛"} <= hidden["street"], hidden["street"]
    assert {"邻居甲乙", "邻座丙丁", "远客戊己"} <= hidden["secretary"], hidden["secretary"]
    assert {"邻居甲乙", "远客戊己"} <= hidden["neighbor"], hidden["neighbor"]
    assert "远客戊己" in hidden["bureau"], hidden["bureau"]
    for name in ("邻居甲乙", "邻座丙丁"):
        assert sweep.joint.attendances.filter(person__name=name, reason__startswith="住院治疗").exists()
    for name, found in hidden.items():
        assert found, f"nothing planted out of scope for {name}"


# --- looking for traces ------------------------------------------------------------------------------------


def body_text(response) -> str:
    """The text a response carries: JSON unescaped, files opened (xlsx, docx), streams joined."""
    raw = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind or raw[:2] == b"PK" and b"xl/" in raw[:2000]:
        return xlsx_text(raw)
    if "wordprocessingml" in kind or raw[:2] == b"PK" and b"word/" in raw[:2000]:
        return docx_text(raw)
    text = raw.decode("utf-8", "ignore")
    if "json" in kind and text:
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            return text
    return text


def xlsx_text(raw: bytes) -> str:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True)
    out = []
    for ws in wb.worksheets:
        out.append(ws.title)
        for row in ws.iter_rows(values_only=True):
            out += ["" if v is None else str(v) for v in row]
    return "\n".join(out)


def docx_text(raw: bytes) -> str:
    import docx

    doc = docx.Document(io.BytesIO(raw))
    out = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            out += [c.text for c in row.cells]
    for section in doc.sections:
        out += [p.text for p in section.header.paragraphs] + [p.text for p in section.footer.paragraphs]
    return "\n".join(out)


def unsigned(value: str) -> str:
    """The payload of a Django-signed value (base64, maybe zlib-compressed), as text; the value if not one."""
    payload = value.strip('"').split(":")[0]
    compressed = payload.startswith(".")
    payload = payload.lstrip(".")
    try:
        data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        if compressed:
            data = zlib.decompress(data)
        text = data.decode("utf-8")
    except (ValueError, zlib.error, UnicodeDecodeError):
        return value
    try:
        return json.dumps(json.loads(text), ensure_ascii=False)
    except ValueError:
        return text


def leaks(text: str, needles: list[str]) -> list[str]:
    return sorted({n for n in needles if n and n in text})
