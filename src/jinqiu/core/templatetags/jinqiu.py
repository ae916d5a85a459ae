from django import template
from django.http import QueryDict

from jinqiu.core import phones

register = template.Library()


@register.filter
def mask_phone(value: str) -> str:
    return phones.mask_phone(value or "")


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (pagination, sorting)."""
    params: QueryDict = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()
