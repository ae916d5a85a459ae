"""The change history reads as Chinese sentences, and the auditor reads no personal data in it."""

import re
from datetime import timedelta

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone, translation

from jinqiu.core import history
from jinqiu.people import services as people_services
from jinqiu.people.models import Person


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _edit_zhang(world):
    people_services.person_update(actor=world.users["street"], person=world.zhang, fields={
        "address": "苍梧路88号", "mobile": "13900001234", "health": "bedridden", "retirement_type": "lixiu"})
    return Person.objects.get(pk=world.zhang.pk)


def _history_section(text: str) -> str:
    return text[text.index("变更记录"):]


def test_a_persons_history_reads_as_chinese_sentences(world, client_for):
    _edit_zhang(world)
    text = _history_section(_text(client_for("street").get(f"/persons/{world.zhang.pk}/")))
    assert "将离退休类型由“退休”改为“离休”" in text
    assert "lixiu" not in text and "tuixiu" not in text and "bedridden" not in text
    assert "填写地址：苍梧路88号" in text
    assert "将手机由“138****5678”改为“139****1234”" in text and "13900001234" not in text
    assert "None" not in text and "**ne" not in text and "accounts.Pairing" not in text
    assert "→" not in text


def test_creating_a_person_lists_what_was_filled_in_without_reverse_relations(world, client_for):
    text = _history_section(_text(client_for("street").get(f"/persons/{world.zhang.pk}/")))
    with translation.override("zh-hans"):
        name_label = str(Person._meta.get_field("name").verbose_name)
    assert "新建人员" in text and f"填写{name_label}：张三" in text and "填写党员：是" in text and "填写手机：138****5678" in text
    assert "None" not in text and "Pairing" not in text and "填写固定电话" not in text  # no landline was given


def test_the_auditor_sees_who_changed_which_fields_never_the_values(world, client_for):
    person = _edit_zhang(world)
    people_services.person_record_death(actor=world.users["street"], person=person,
                                        died_on=timezone.localdate() - timedelta(days=3))
    text = _text(client_for("auditor").get("/accounts/changes/"))
    for value in ("张三", "苍梧路88号", "5678", "1234", "卧床", "bedridden", "离休", "lixiu",
                  (timezone.localdate() - timedelta(days=3)).isoformat()):
        assert value not in text, value
    with translation.override("zh-hans"):
        for field in ("address", "mobile", "health", "died_on"):
            assert str(Person._meta.get_field(field).verbose_name) in text, field
        assert str(Person._meta.verbose_name) in text
    assert f"#{person.pk}" in text and "street" in text


def test_times_are_shown_in_shanghai_and_choices_by_label(world):
    from jinqiu.orglife.models import Meeting

    entry = LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Meeting), object_pk="1", object_repr="支部委员会",
        action=LogEntry.Action.UPDATE,
        changes={"starts_at": ["2026-03-02 06:00:00", "2026-03-03 06:00:00"], "mode": ["online", "offline"]})
    with translation.override("zh-hans"):
        [item] = history.render([entry])
    text = " ".join(item.sentences)
    assert "2026-03-03 14:00" in text and "06:00" not in text
    assert "offline" not in text and "online" not in text


def test_phones_are_stored_masked_in_the_history(world):
    _edit_zhang(world)
    entry = LogEntry.objects.get_for_object(world.zhang).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    assert entry.changes_dict["mobile"] == ["138****5678", "139****1234"]


def test_the_access_log_names_fields_by_their_labels(world, client_for):
    from jinqiu.accounts import services

    services.person_reveal(actor=world.users["street"], person=world.zhang, field="id_number", reason="核对身份")
    services.person_reveal(actor=world.users["street"], person=world.zhang, field="mobile", reason="电话联系")
    text = _text(client_for("auditor").get("/accounts/access-log/"))
    assert "身份证号" in text and "手机" in text
    assert "id_number" not in text and " mobile " not in text


def test_entries_masked_the_old_way_show_no_more_than_four_digits(world):
    entry = LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Person), object_pk=str(world.zhang.pk), object_repr="张三",
        action=LogEntry.Action.UPDATE, changes={"mobile": ["**ne", "*****345678"], "phone": ["*****345678", "**ne"]})
    with translation.override("zh-hans"):
        [item] = history.render([entry])
    assert item.sentences == ["填写手机：****5678", "清空固定电话"]
