"""Form widgets that stay fast when a select holds hundreds of options."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


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
