"""Form widgets: dates the browser can show, long selects that can be narrowed."""

from datetime import date

from django import forms
from django.utils import translation

from jinqiu.core.widgets import DateInput, SearchableSelect


class F(forms.Form):
    on = forms.DateField(initial=lambda: date(2026, 3, 9), widget=DateInput)
    org = forms.ChoiceField(choices=[("", "---"), ("1", "新东社区离退休干部党支部"), ("2", "新西<社区>")],
                            widget=SearchableSelect)


def test_date_input_value_is_iso_in_every_language():
    for language in ("zh-hans", "zh-hant", "en"):
        with translation.override(language):
            html = str(F()["on"])
        assert 'type="date"' in html and 'value="2026-03-09"' in html, (language, html)


def test_searchable_select_is_a_plain_select_without_script():
    with translation.override("zh-hans"):
        html = str(F(data={"org": "1"})["org"])
    assert '<input type="search" class="select-filter-box" hidden' in html
    assert 'aria-label="缩小列表"' in html
    assert '<option value="1" selected>新东社区离退休干部党支部</option>' in html
    assert "新西&lt;社区&gt;" in html
