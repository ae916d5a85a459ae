"""Every import path (web upload → preview → commit, the `import` command, the person API and form) with the ID
numbers of persons the uploader cannot see: nothing of them shown, one message, nothing changed, all logged."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from jinqiu.accounts.models import AccessAction, AccessLog
from jinqiu.people.models import Membership, Person, RosterImport
from tests.rosters.files import pid, row, xlsx
from tests.security.planted import body_text, leaks, plant

pytestmark = pytest.mark.django_db

NOT_YOURS = "该身份证号不能由您导入，请联系区委老干部局"
FIELDS = ("name", "gender", "address", "mobile", "phone", "region_id", "service_unit_id", "health", "living",
          "note", "joined_party_on", "is_party_member", "status", "retirement_type", "original_unit_name")


def _snapshot(persons) -> dict:
    out = {}
    for p in Person.objects.filter(pk__in=[p.pk for p in persons]):
        out[p.pk] = ({f: getattr(p, f) for f in FIELDS},
                     sorted(Membership.objects.filter(person=p).values_list("org_id", "kind", "outside_org_name",
                                                                               "ended_on")))
    return out


def _rows(world, hidden) -> list[dict]:
    """A roster that claims each hidden person for the uploader's branch, plus one new person."""
    rows = [row("冒名顶替", p.id_number, org=world.branch.name, joined="1980.01", address="新东社区冒名路1号",
                health="卧床", living="与子女同住", phone="13611112222", note="导入者的备注")
            for p in hidden]
    rows.append(row("新来的人", pid(date(1951, 7, 7), seq=881), org=world.branch.name, joined="1981.02"))
    return rows


def _importers(world, client) -> list[str]:
    found = []
    for persona, user in world.users.items():
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        if client.get(reverse("rosters:list")).status_code == 200:
            found.append(persona)
    return found


def _imports(user) -> int:
    return AccessLog.objects.filter(user=user, action=AccessAction.IMPORT).count()


def test_web_import_neither_reads_nor_changes_persons_out_of_scope(world, client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    s = plant(world)
    importers = _importers(world, client)
    assert {"street", "bureau"} <= set(importers), importers
    failures = []
    for persona in importers:
        user = world.users[persona]
        hidden = s.hidden_from(user)
        needles = [n for p in hidden for n in p.needles(with_id=False)]
        before = _snapshot([p.person for p in hidden])
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        path = xlsx(tmp_path / f"{persona}.xlsx", _rows(world, [p.person for p in hidden]))
        logged = _imports(user)
        with path.open("rb") as handle:
            client.post(reverse("rosters:list"), {"file": SimpleUploadedFile("花名册.xlsx", handle.read())})
        imp = RosterImport.objects.filter(actor=user).latest("pk")
        if _imports(user) <= logged:
            failures.append(f"{persona}: the upload and preview wrote no IMPORT line in the access log")
        logged = _imports(user)
        pages = {"preview": body_text(client.get(reverse("rosters:detail", args=[imp.pk]))),
                 "stored result": json.dumps(imp.result, ensure_ascii=False, default=str)}
        for i, _p in enumerate(hidden):
            messages = [e["message"] for e in imp.result.get("errors", []) if e["row"] == _row_no(imp, i)]
            if NOT_YOURS not in messages or len(set(messages)) != 1:
                failures.append(f"{persona}: row of {_p.person.name} answered {messages}, not only “{NOT_YOURS}”")
        if hidden and NOT_YOURS not in pages["preview"]:
            failures.append(f"{persona}: the preview page does not say “{NOT_YOURS}”")
        # The column mapping sent back as it is: a second preview, logged, as careful as the first.
        client.post(reverse("rosters:mapping", args=[imp.pk]),
                    {f"col{i}": key for i, key in imp.result.get("mapping", {}).items()})
        if _imports(user) <= logged:
            failures.append(f"{persona}: the preview after a mapping wrote no IMPORT line in the access log")
        logged = _imports(user)
        pages["second preview"] = body_text(client.get(reverse("rosters:detail", args=[imp.pk])))
        client.post(reverse("rosters:commit", args=[imp.pk]))
        imp.refresh_from_db()
        if _imports(user) <= logged:
            failures.append(f"{persona}: the commit wrote no IMPORT line in the access log")
        pages["after commit"] = body_text(client.get(reverse("rosters:detail", args=[imp.pk])))
        pages["rejected rows file"] = body_text(client.get(reverse("rosters:errors", args=[imp.pk])))
        for where, text in pages.items():
            found = leaks(text, needles)
            if found:
                failures.append(f"{persona}: the {where} shows {found[:4]}")
        if _snapshot([p.person for p in hidden]) != before:
            failures.append(f"{persona}: the commit changed persons out of scope")
        if not Person.objects.filter(name="新来的人").exists():
            failures.append(f"{persona}: the accepted row was not written")
    assert not failures, "\n".join(failures)


def _row_no(imp, index: int) -> int:
    """The sheet row of the index-th data row (title rows and header first)."""
    return imp.result.get("header_row", 3) + 1 + index


def test_the_import_command_with_a_user_neither_reads_nor_changes_persons_out_of_scope(world, tmp_path):
    s = plant(world)
    user = world.users["street"]
    hidden = s.hidden_from(user)
    needles = [n for p in hidden for n in p.needles(with_id=False)]
    before = _snapshot([p.person for p in hidden])
    path = xlsx(tmp_path / "cli.xlsx", _rows(world, [p.person for p in hidden]))
    logged = _imports(user)
    outputs = {}
    with translation.override("zh-hans"):
        for mode in (["--dry-run"], ["--dry-run", "--json"], ["--commit", "--json"]):
            out = io.StringIO()
            call_command("import", "roster", str(path), "--user", "street", *mode, stdout=out)
            outputs[" ".join(mode)] = out.getvalue()
    failures = [f"import {mode}: shows {leaks(text, needles)[:4]}" for mode, text in outputs.items()
                if leaks(text, needles)]
    result = json.loads(outputs["--commit --json"])
    by_row: dict[int, set] = {}
    for e in result["errors"]:
        by_row.setdefault(e["row"], set()).add(e["message"])
    if sorted(by_row.values(), key=str) != [{NOT_YOURS}] * len(hidden):
        failures.append(f"the command answered {by_row}, not “{NOT_YOURS}” once per hidden row")
    if result["new"] != 1:
        failures.append(f"the accepted row was not written: {result['new']}")
    if _snapshot([p.person for p in hidden]) != before:
        failures.append("the command changed persons out of scope")
    if _imports(user) < logged + 3:
        failures.append(f"three runs wrote {_imports(user) - logged} IMPORT lines in the access log")
    assert not failures, "\n".join(failures)


def test_creating_a_person_with_an_id_out_of_scope_tells_nothing(world, client):
    """API and form: “already registered” only where the existing record is in scope."""
    s = plant(world)
    client.force_login(world.users["street"], backend="django.contrib.auth.backends.ModelBackend")
    failures = []
    for p in s.hidden_from(world.users["street"]):
        before = _snapshot([p.person])
        response = client.post("/api/persons", json.dumps({
            "id_number": p.id_number, "name": "冒名顶替", "retirement_type": "tuixiu", "region": world.community.pk,
            "org": world.branch.pk, "relation_since": "2020-01-01"}), content_type="application/json")
        text = body_text(response)
        if response.status_code not in (400, 404, 409, 422) or "已登记" in text or "registered" in text:
            failures.append(f"POST /api/persons with {p.person.name}'s ID: {response.status_code} {text[:200]}")
        if leaks(text, p.needles(with_id=False)):
            failures.append(f"POST /api/persons shows {leaks(text, p.needles(with_id=False))}")
        page = client.post(reverse("people:create"), {
            "id_number": p.id_number, "name": "冒名顶替", "retirement_type": "tuixiu", "region": world.community.pk,
            "gender": "M", "ethnicity": "汉族"})
        text = body_text(page)
        if "已登记" in text or leaks(text, p.needles(with_id=False)):
            failures.append(f"the person form with {p.person.name}'s ID says {leaks(text, ['已登记'] + p.needles(with_id=False))}")
        if _snapshot([p.person]) != before:
            failures.append(f"creating with {p.person.name}'s ID changed them")
    same = client.post("/api/persons", json.dumps({
        "id_number": world.zhang.id_number, "name": "张三", "retirement_type": "tuixiu",
        "region": world.community.pk}), content_type="application/json")
    assert same.status_code == 422 and "已登记" in body_text(same), body_text(same)  # in scope: may say so
    assert not failures, "\n".join(failures)
