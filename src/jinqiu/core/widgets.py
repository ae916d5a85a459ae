"""Form widgets that stay fast when a select holds hundreds of options."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext


class FastSelect(forms.Select):
    """A plain <select> rendered in Python: Django renders each option through a template include,
    which costs milliseconds per hundred options on every page of a large organisation tree."""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        chosen = {str(v) for v in self.format_value(value)}
        selected = mark_safe(" selected")  # noqa: S308 - a constant
        options = format_html_join(
            "", '<option value="{}"{}>{}</option>',
            ((str(v), selected if str(v) in chosen else "", label) for v, label in self.choices),
        )
        return format_html("<select{}>{}</select>", flatatt(final_attrs), options)


class SearchableSelect(FastSelect):
    """A FastSelect with a filter box above it, for long lists (every organisation of a city).

    Without JavaScript it is the plain select. static/js/select-filter.js shows the box and, as the
    user types, keeps only the options whose text contains what was typed (the chosen one always
    stays); a single match is chosen at once.
    """

    def render(self, name, value, attrs=None, renderer=None):
        select = super().render(name, value, attrs, renderer)
        return format_html(
            '<div class="select-filter" data-select-filter>'
            '<input type="search" class="select-filter-box" hidden autocomplete="off" placeholder="{}" aria-label="{}">'
            "{}</div>",
            gettext("Type part of the name to narrow the list"), gettext("Narrow the list"), select,
        )


class DateInput(forms.DateInput):
    """<input type="date">: the browser's date picker. Its value must be ISO (YYYY-MM-DD) whatever the
    language, or the browser shows the field empty and an initial date (today) is silently lost."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")
