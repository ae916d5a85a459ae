"""No internal code reaches a user: every page of the scope matrix, read as a person reads it.

Every GET page of the scope matrix (tests/test_scope_matrix.py and every tests/<app>/matrix.py) is rendered
for every persona allowed it on the in-scope object, in Chinese, and its visible text (text nodes outside
<script>/<style>, plus the few attributes a person does read: title, placeholder, alt, aria-label and the
caption of an input button) must hold:

- no known code: every value of every TextChoices of the jinqiu apps and of every choices list on their
  model fields (roles, retirement types, living and health, meeting modes, organisation kinds, membership
  end reasons once they are choices ...), and the codes of the meeting types stored in the database;
- no ASCII slug (`pair_contact`, `empty_nest`) and no filter dump (`org=82`, `pending=on; party=yes`);
- no attribute name shown as a label: a model field given no verbose name is shown untranslated by its
  name (`Path`, `Depth`, `User` in a change history), so those names count as codes too;
- the code columns that are not choices: export kinds and revealed fields of the access log, the meeting
  types' codes, and the reasons stored on ended memberships ("Organisation dissolved" stored in English).

A code counts as seen when it is a whole ASCII word of the visible text (case-sensitive): "离休" next to
"lixiu" is a finding, "Excel" is not a code and needs no allowance.

The access log and the change histories are rendered after the actions that write codes into them: exports
with filters, a reveal, and edits that change choice fields (离休/退休, 居住情况, 健康状况, 线下/线上).
"""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.text import capfirst

from tests.test_scope_matrix import MATRIX, _officers

# The personas' login names and display names in the world are "bureau", "secretary", "pair" ... which are
# also role codes: a page that shows the account would be a false finding, and allowing those words would
# hide a real role code. So the personas get ordinary names here, and nothing needs allowing for them.
NAMES = {"bureau": ("wangkz", "王科长"), "street": ("liuyy", "刘园园"), "secretary": ("chenshuji", "陈书记"),
         "pair": ("zhoujd", "周结对"), "member": ("zhangsan", "张三"), "neighbor": ("xiwei", "西委员"),
         "sysadmin": ("xitong", "系统管理员甲"), "secadmin": ("anquan", "安全管理员乙"),
         "auditor": ("shenji", "审计管理员丙"), "leader": ("qulingdao", "区领导丁")}

HOME_PERSONAS = ["bureau", "street", "secretary", "pair", "member", "auditor", "sysadmin"]

# Words that are codes somewhere but genuinely meant for a person. Kept narrow: only what a page may show on
# purpose. (Empty today: "API", "Excel", "PDF", "ID", "xlsx" are no code value, so they need no allowance.)
ALLOWED: set[str] = set()

ASCII_WORD = re.compile(r"[A-Za-z0-9_]+")
SLUG = re.compile(r"[a-z]+_[a-z_]+")
# `org=82`, `pending=on; party=yes`, `a = b`
KEY_VALUE = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z_][A-Za-z0-9_]*\s*=\s*[^\s;，,。]+", re.ASCII)
READ_ATTRS = {"title", "placeholder", "alt", "aria-label"}
HIDDEN_TAGS = {"script", "style", "template"}


class VisibleText(HTMLParser):
    """Text nodes outside <script>/<style>/<template>, and the attributes a person reads."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN_TAGS:
            self.hidden += 1
            return
        values = dict(attrs)
        self.parts += [v for k, v in attrs if k in READ_ATTRS and v]
        if tag == "input" and values.get("type") in ("submit", "button", "reset") and values.get("value"):
            self.parts.append(values["value"])

    def handle_startendtag(self, tag, attrs):
        if tag not in HIDDEN_TAGS:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in HIDDEN_TAGS and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser.parts


def _choice_classes(cls=models.Choices):
    for sub in cls.__subclasses__():
        yield sub
        yield from _choice_classes(sub)


def _values(choices) -> set[str]:
    found = set()
    for value, label in choices or ():
        if isinstance(label, (list, tuple)):  # a named group
            found |= _values(label)
        elif isinstance(value, str):
            found.add(value)
    return found


def known_codes() -> set[str]:
    """Every code value the jinqiu apps store: choices of their fields, their TextChoices, meeting types."""
    codes: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("jinqiu."):
            continue
        for field in model._meta.get_fields():
            codes |= _values(getattr(field, "choices", None))
    for cls in _choice_classes():
        if cls.__module__.startswith("jinqiu."):  # Role, AccessAction, the membership end reasons ...
            codes |= _values(cls.choices)
    from jinqiu.accounts.models import AccessLog
    from jinqiu.accounts.services import REVEALABLE_FIELDS
    from jinqiu.orglife.models import MeetingType
    from jinqiu.people.exports import EXPORT_KINDS
    from jinqiu.people.models import Membership

    # Code columns that are not choices (yet): what an access-log row names (export kinds, revealed fields),
    # meeting types' codes, and the reasons a membership ended.
    codes |= set(EXPORT_KINDS) | set(REVEALABLE_FIELDS)
    codes |= set(AccessLog.objects.values_list("field", flat=True))
    codes |= set(MeetingType.objects.values_list("code", flat=True))
    codes |= set(Membership.objects.values_list("end_reason", flat=True))
    # A model field without a verbose name shows its attribute name ("Path", "Depth", "User").
    for model in apps.get_models():
        if model.__module__.startswith("jinqiu."):
            for field in model._meta.concrete_fields:
                if not field.primary_key and not isinstance(field.verbose_name, Promise):  # never translated
                    codes |= {field.name, capfirst(str(field.verbose_name))}
    # Only codes that could be an ASCII word: Chinese strings used as codes are text a person reads.
    return {c for c in codes if c and c.isascii() and re.search(r"[A-Za-z]", c)} - ALLOWED


# The world's personas were created with login names that are role codes ("bureau", "secretary" ...); the
# change history keeps the name an account was created with. Shown as the value of the 用户名 field it is a
# user name, not a code: allowed there and nowhere else.
LOGIN_NAMES = {"bureau", "street", "secretary", "pair", "member", "neighbor", "sysadmin", "secadmin", "auditor",
               "leader"}


def _allowed_here(hit: str, part: str) -> bool:
    return hit in LOGIN_NAMES and re.search(r"用户名\s*[：:]?\s*" + re.escape(hit) + r"(?![A-Za-z0-9_])", part) is not None


def findings(html: str, codes: set[str]) -> list[str]:
    by_length = sorted(codes, key=len, reverse=True)
    code_re = re.compile(r"(?<![A-Za-z0-9_-])(" + "|".join(map(re.escape, by_length)) + r")(?![A-Za-z0-9_-])")
    seen: list[str] = []
    for part in visible_text(html):
        hits = {m.group(1) for m in code_re.finditer(part)} if codes else set()
        hits |= {w for w in ASCII_WORD.findall(part) if SLUG.fullmatch(w) and w not in ALLOWED}
        hits |= {m.group(0) for m in KEY_VALUE.finditer(part)}
        seen += [f"{hit!r} in {part[:120]!r}" for hit in sorted(hits) if not _allowed_here(hit, part)]
    return seen


def _rename_personas(world):
    from jinqiu.accounts.models import User

    for persona, (username, display) in NAMES.items():
        User.objects.filter(pk=world.users[persona].pk).update(username=username, display_name=display)
        world.users[persona].refresh_from_db()


def _get(client, world, persona, url):
    client.force_login(world.users[persona], backend="django.contrib.auth.backends.ModelBackend")
    return client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")


def _check_page(problems, client, world, codes, label, persona, url):
    response = _get(client, world, persona, url)
    if response.status_code >= 500:
        problems.append(f"{label} as {persona}: {response.status_code}")
        return
    kind = response.get("Content-Type", "")
    if response.status_code != 200 or response.streaming or not kind.startswith("text/html"):
        return  # a redirect or a file: nothing to read
    for seen in findings(response.content.decode(), codes):
        problems.append(f"{label} as {persona}: {seen}")


def test_visible_text_reader_and_rules():
    html = ('<html><head><title>人员</title><style>.a_b{}</style><script>var org_id=1;</script></head><body>'
            '<p title="类型 zhibu">下级党组织: xiaozu</p><select><option value="lixiu">离休</option></select>'
            '<input type="hidden" value="pair_contact"><input type="submit" value="保存">'
            '<p>导出，脱敏；org=82</p><p>Excel 文件 · API</p></body></html>')
    assert visible_text(html) == ["人员", "类型 zhibu", "下级党组织: xiaozu", "离休", "保存", "导出，脱敏；org=82",
                                  "Excel 文件 · API"]
    seen = findings(html, {"zhibu", "xiaozu", "lixiu", "pair_contact"})
    assert [s.split(" in ")[0] for s in seen] == ["'zhibu'", "'xiaozu'", "'org=82'"]
    assert findings("<p>状态: empty_nest</p><p>pending=on; party=yes</p>", set()) == [
        "'empty_nest' in '状态: empty_nest'", "'party=yes' in 'pending=on; party=yes'",
        "'pending=on' in 'pending=on; party=yes'"]
    assert findings("<p>线下lixiu</p>", {"lixiu"})  # next to Chinese is still a whole ASCII word
    assert not findings("<p>填写用户名：bureau</p>", {"bureau"})  # a login name, in the history of an account
    assert findings("<p>角色：bureau</p>", {"bureau"})


def test_the_known_codes_come_from_the_models(db):
    codes = known_codes()
    assert {"bureau", "secretary", "pair_contact", "lixiu", "tuixiu", "offline", "online", "zhibu", "zongzhi",
            "xiaozu", "empty_nest", "reveal", "export"} <= codes
    assert "zhuti-dangri" in codes  # a meeting type's code, from the database
    assert {"persons", "roster", "id_number", "mobile"} <= codes  # what an access-log row names


@pytest.mark.parametrize("name", sorted(n for n, c in MATRIX.items() if c.method == "get"))
def test_no_codes_on_the_page(name, world, client, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    _officers(world)
    _rename_personas(world)
    case = MATRIX[name]
    url = reverse(name, kwargs=case.inside(world) if case.inside else None)
    personas = sorted(case.allowed_in) if name != "home" else HOME_PERSONAS
    codes = known_codes()
    problems: list[str] = []
    for persona in personas:
        _check_page(problems, client, world, codes, name, persona, url)
    if name == "accounts:login":
        client.logout()
        for seen in findings(client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode(), codes):
            problems.append(f"{name} anonymous: {seen}")
    assert not problems, "\n".join(problems)


def _history_and_logs(world, client):
    """Exports with filters, reveals and edits of choice fields: what the logs and histories then show."""
    from jinqiu.orglife import services as orglife
    from jinqiu.orglife.models import MeetingType
    from jinqiu.people import services as people
    from tests.orglife.helpers import at

    bureau, street = world.users["bureau"], world.users["street"]
    # Exports with filters (masked, pending, full with a reason) and a roster export of the branch.
    for persona, url in [
        ("bureau", reverse("people:export") + f"?q=张&party=yes&retirement_type=tuixiu&org={world.branch.pk}"),
        ("bureau", reverse("people:pending_export") + "?q=李"),
        ("street", reverse("people:export") + "?status=all&age_band=&situation=alone"),
        ("bureau", reverse("organizations:roster_export", kwargs={"pk": world.branch.pk})),
    ]:
        _get(client, world, persona, url)
    client.force_login(bureau, backend="django.contrib.auth.backends.ModelBackend")
    client.post(reverse("people:export_full"), {"reason": "核对养老金发放", "query": "party=yes&pending=on"})
    # Reveals of a mobile and an ID number.
    for field in ("mobile", "id_number"):
        client.post(reverse("people:reveal", kwargs={"pk": world.zhang.pk}), {"field": field, "reason": "上门走访核对"})
    # Choice fields changed and changed back: 离休/退休, 居住情况, 健康状况.
    people.person_update(actor=bureau, person=world.zhang,
                         fields={"retirement_type": "lixiu", "living": "alone", "health": "poor"})
    people.person_update(actor=street, person=world.zhang,
                         fields={"retirement_type": "tuixiu", "living": "empty_nest", "health": "good"})
    # A meeting moved from 线下 to 线上 and back.
    meeting = orglife.meeting_create(actor=bureau, org=world.branch, held=True, fields={
        "meeting_type": MeetingType.objects.get(code="zhuti-dangri"),
        "starts_at": at(timezone.localdate() - timedelta(days=10)), "place": "党员活动室", "mode": "offline"})
    orglife.meeting_update(actor=bureau, meeting=meeting, fields={"mode": "online"})
    orglife.meeting_update(actor=street, meeting=meeting, fields={"mode": "offline", "place": "社区会议室"})
    _get(client, world, "bureau", reverse("orglife:overview_export"))
    _get(client, world, "bureau", reverse("organizations:units_export"))
    # Memberships that end: a transfer (李四), a death, and a functional organisation dissolved by a user whose
    # language was English (the reason must not be stored in the clicker's language).
    people.membership_transfer(actor=street, person=world.li, org=world.branch,
                               on=timezone.localdate() - timedelta(days=20))
    people.person_record_death(actor=street, person=world.li, died_on=timezone.localdate() - timedelta(days=5))
    people.membership_join(actor=bureau, person=world.zhang, org=world.functional,
                           on=timezone.localdate() - timedelta(days=40))
    with translation.override("en"):
        people.organization_dissolve(actor=bureau, org=world.functional, on=timezone.localdate() - timedelta(days=2),
                                     reason="Merged")
    return meeting


def test_no_codes_in_the_access_log_and_the_change_history(world, client, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    _rename_personas(world)
    meeting = _history_and_logs(world, client)
    from jinqiu.accounts.models import AccessLog

    assert AccessLog.objects.filter(action="export").count() >= 4
    assert AccessLog.objects.filter(action="reveal").count() == 2
    codes = known_codes()
    problems: list[str] = []
    for label, persona, url in [
        ("accounts:access_log", "auditor", reverse("accounts:access_log")),
        ("accounts:change_log", "auditor", reverse("accounts:change_log")),
        ("people:detail", "bureau", reverse("people:detail", kwargs={"pk": world.zhang.pk})),
        ("people:detail", "street", reverse("people:detail", kwargs={"pk": world.zhang.pk})),
        ("people:detail", "bureau", reverse("people:detail", kwargs={"pk": world.li.pk})),
        ("accounts:access_log", "auditor", reverse("accounts:access_log") + "?page=2"),
        ("accounts:change_log", "auditor", reverse("accounts:change_log") + "?page=2"),
        ("orglife:meeting", "bureau", reverse("orglife:meeting", kwargs={"pk": meeting.pk})),
        ("organizations:detail", "bureau", reverse("organizations:detail", kwargs={"pk": world.branch.pk})),
    ]:
        _check_page(problems, client, world, codes, label, persona, url)
    assert not problems, "\n".join(problems)
