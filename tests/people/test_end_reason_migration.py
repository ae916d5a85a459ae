"""The data migration that turns the reasons memberships ended into codes (issue 8)."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("people", "0004_roster_import_console")]
AFTER = [("people", "0005_membership_end_reason_codes")]


@pytest.mark.django_db(transaction=True)
def test_old_reasons_become_codes_and_free_text_a_note(world):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old_apps = executor.loader.project_state(BEFORE).apps
        Membership = old_apps.get_model("people", "Membership")
        stored = ["组织关系转接", "去世", "迁出", "Organisation dissolved", "组织撤销", "組織撤銷", "党组织撤销",
                  "身体原因", ""]
        pks = {}
        for text in stored:
            pks[text] = Membership.objects.create(
                person_id=world.zhang.pk, kind="participating", org_id=world.functional.pk,
                started_on=date(2020, 1, 1), ended_on=None if not text else date(2021, 1, 1), end_reason=text,
            ).pk
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    from jinqiu.people.models import Membership as Current

    got = {text: tuple(Current.objects.filter(pk=pk).values_list("end_reason", "end_note").get())
           for text, pk in pks.items()}
    assert got == {
        "组织关系转接": ("transfer", ""), "去世": ("death", ""), "迁出": ("moved", ""),
        "Organisation dissolved": ("dissolved", ""), "组织撤销": ("dissolved", ""), "組織撤銷": ("dissolved", ""),
        "党组织撤销": ("dissolved", ""), "身体原因": ("other", "身体原因"), "": ("", ""),
    }
