"""Periods read as periods: 2025年, 2025年第1季度, 2025年3月 — not the first day's month ("2025-01")."""

from __future__ import annotations

import io
from datetime import date

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from jinqiu.orglife.models import FrequencyRule
from jinqiu.orglife.periods import span_label

pytestmark = pytest.mark.django_db


def test_each_kind_of_period_reads_as_itself():
    year = timezone.localdate().year
    with translation.override("zh-hans"):
        assert span_label(date(year, 1, 1), date(year, 12, 31)) == f"{year}年"
        assert span_label(date(year, 1, 1), date(year, 3, 31)) == f"{year}年第1季度"
        assert span_label(date(year, 10, 1), date(year, 12, 31)) == f"{year}年第4季度"
        assert span_label(date(year, 3, 1), date(year, 3, 31)) == f"{year}年3月"


def test_a_missed_yearly_review_shows_its_year(world, client_for):
    FrequencyRule.objects.exclude(meeting_type__code="minzhu-pingyi").update(is_active=False)
    this_year = timezone.localdate().year
    with time_machine.travel(date(this_year, 2, 15), tick=False):
        client = client_for("street")
        page = client.get(reverse("orglife:overview")).content.decode()
        export = client.get(reverse("orglife:overview_export"))
    assert f"民主评议党员 {this_year - 1}年" in page
    assert f"{this_year - 1}-01" not in page
    cells = str(list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True)))
    assert f"民主评议党员 {this_year - 1}年" in cells
