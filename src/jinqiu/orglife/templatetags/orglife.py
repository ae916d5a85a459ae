from django import template

from jinqiu.orglife.exports import pct as _pct

register = template.Library()


@register.filter
def pct(value):
    return _pct(value)


@register.filter
def period(missed):
    """A missed (type, first day, last day) read as its period: 2025年, 2025年第1季度, 2025年3月."""
    from jinqiu.orglife.periods import span_label

    return span_label(missed[1], missed[2])


@register.inclusion_tag("orglife/_home_panel.html")
def orglife_home(user):
    """The home page's compliance and attendance for the user's scope."""
    from jinqiu.accounts.scoping import visible_orgs
    from jinqiu.orglife import compliance

    if not user.is_staff_user:
        return {"show": False}
    result, rate = compliance.subtree_summary(visible_orgs(user))
    totals = compliance.Totals.of(result)
    return {"show": bool(totals.orgs), "result": totals, "behind": totals.behind, "rate": rate}


@register.inclusion_tag("orglife/_org_panel.html")
def orglife_org(org, user):
    """The organisation page's calendar for this year and its attendance rate."""
    from datetime import date

    from django.utils import timezone

    from jinqiu.orglife import compliance, selectors
    from jinqiu.orglife.permissions import can_record

    year = timezone.localdate().year
    return {"org": org, "year": year, "rows": compliance.org_calendar(org, year),
            "rate": selectors.org_rate(org, date(year, 1, 1), date(year, 12, 31)),
            "can_record": can_record(user) and org.is_active}
