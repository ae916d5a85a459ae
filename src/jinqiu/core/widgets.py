"""Form widgets and fields that stay fast when a select holds hundreds of options."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.forms.models import ModelChoiceIterator
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


PATH_SEPARATOR = " › "


def label_with_ancestors(nodes: Iterable, *, top_depth: int = 2) -> list:
    """Give each node of a materialized-path tree (treebeard `MP_Node` with a `name`) a `path_label`: its
    ancestors' names from `top_depth` down, then its own (新浦街道离退休干部党总支 › 新东社区离退休干部党支部 ›
    第一党小组). One query for all the nodes: the ancestors' paths are prefixes of each node's path.

    The top of the tree (depth 1: the district's 党工委, the same for everyone) is left out by default.
    """
    nodes = list(nodes)
    if not nodes:
        return nodes
    model = type(nodes[0])
    step = model.steplen
    prefixes = {node.path[: step * d] for node in nodes for d in range(top_depth, node.depth)}
    names = dict(model.objects.filter(path__in=prefixes).values_list("path", "name")) if prefixes else {}
    for node in nodes:
        parts = [names.get(node.path[: step * d]) for d in range(top_depth, node.depth)]
        node._path_label = PATH_SEPARATOR.join([p for p in parts if p] + [node.name])
    return nodes


class TreeChoiceIterator(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for node in label_with_ancestors(self.queryset.order_by("path")):
            yield self.choice(node)


class TreeChoiceField(forms.ModelChoiceField):
    """A choice over a materialized-path tree: options in tree order, each named with its parents, so that
    the dozens of 第一党小组 can be told apart; the labels of all options cost one query."""

    iterator = TreeChoiceIterator

    def __init__(self, queryset, **kwargs):
        kwargs.setdefault("widget", SearchableSelect)
        super().__init__(queryset, **kwargs)

    def label_from_instance(self, obj) -> str:
        label = getattr(obj, "_path_label", None)
        if label is None:
            label = label_with_ancestors([obj])[0]._path_label
        return label
