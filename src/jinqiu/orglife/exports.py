"""Excel and Word exports: the list of organisations behind, and a branch's 三会一课 record book for a year."""

from __future__ import annotations

import io
from datetime import date
from urllib.parse import quote as _quote

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from docxtpl import DocxTemplate

from jinqiu.core import xlsx
from jinqiu.organizations.models import PartyOrg
from jinqiu.organizations.selectors import with_path_labels

from . import compliance, selectors
from .docx_template import TARGET as DOCX_TEMPLATE
from .models import ATTENDED, Attendance, MeetingOrg
from .periods import span_label

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def quote(name: str) -> str:
    return _quote(name, safe="")


def pct(value: float | None) -> str:
    if value is None:
        return "—"
    # Half-up to one decimal, as the reports print them.
    return f"{int(value * 1000 + 0.5) / 10:.1f}%"


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def behind_workbook(result: compliance.SubtreeCompliance) -> HttpResponse:
    """The organisations behind, each named with its parents as the pages name it (there are dozens of
    第一党小组; one query for all the labels); written by the one export writer, which escapes every text cell."""
    labels = {org.pk: org.path_label for org in with_path_labels([oc.org for oc in result.behind])}
    ws = xlsx.SheetWriter(_("Behind"))
    ws.append([_("Organisation"), _("Required"), _("Held"), _("Compliance rate"), _("Missed"),
               _("Days overdue"), _("Missed meetings")])
    for oc in result.behind:
        ws.append([labels.get(oc.org_id, oc.name), oc.required, oc.held, pct(oc.rate), len(oc.missed), oc.overdue_days,
                   "; ".join(f"{name} {span_label(start, end)}" for name, start, end in oc.missed)])
    first, last = result.window
    return _download(xlsx.content(ws), f"{_('Organisations behind')}-{last:%Y%m%d}.xlsx", xlsx.XLSX_TYPE)


class RecordBook:
    """A branch's 三会一课 record book for a year: its held meetings, and the absentees the reader may see.

    The book is the organisation's: a joint meeting lists that organisation's members only, and its counts
    are that organisation's (from the tallies), so that no partner's absentee or reason is written in it.
    """

    def __init__(self, org: PartyOrg, year: int, *, persons):
        self.org, self.year = org, year
        first, last = date(year, 1, 1), date(year, 12, 31)
        meetings = list(selectors.meetings_of(org, first, last).filter(status="held").order_by("starts_at")
                        .prefetch_related("counts_for"))
        tallies = {link.meeting_id: link for link in MeetingOrg.objects.filter(org=org,
                                                                              meeting__in=[m.pk for m in meetings])}
        missing: dict[int, list] = {}
        for a in (Attendance.objects.filter(meeting__in=[m.pk for m in meetings], org=org, person__in=persons)
                  .exclude(status__in=ATTENDED).select_related("person", "makeup").order_by("person__name", "pk")):
            missing.setdefault(a.meeting_id, []).append(a)
        self.persons_named = len({a.person_id for rows in missing.values() for a in rows})
        self.rows = []
        for m in meetings:
            tally = tallies.get(m.pk) or MeetingOrg()
            self.rows.append({
                "date": timezone.localtime(m.starts_at).strftime("%Y-%m-%d %H:%M"), "type": m.meeting_type.name,
                "mode": m.get_mode_display(), "place": m.place, "host": m.host,
                "lesson": f"{m.lecturer} · {m.topic}" if m.lecturer or m.topic else "",
                "orgs": "、".join(o.name for o in m.counts_for.all()) + (f"、{m.partners}" if m.partners else ""),
                "expected": tally.expected, "attended": tally.attended, "leave": tally.on_leave,
                "made_up": tally.made_up,
                "missing": "、".join(f"{a.person.name}({a.get_status_display()}{'·' + a.reason if a.reason else ''}"
                                    f"{'·' + str(_('delivered at home')) if hasattr(a, 'makeup') else ''})"
                                    for a in missing.get(m.pk, [])) or "—",
                "agenda": m.agenda, "minutes": m.minutes,
            })
        self.rate = selectors.org_rate(org, first, last)


def record_book_xlsx(book: RecordBook) -> HttpResponse:
    org, year, rate = book.org, book.year, book.rate
    ws = xlsx.SheetWriter(str(year))
    ws.append([org.name, str(year)])
    ws.append([_("Date"), _("Meeting type"), _("Mode"), _("Place"), _("Host"), _("Lecturer and topic"),
               _("Counts for"), _("Expected"), _("Attended"), _("On leave"), _("Made up at home"),
               _("Absent or on leave"), _("Agenda"), _("Minutes")])
    for r in book.rows:
        ws.append([r[k] for k in ("date", "type", "mode", "place", "host", "lesson", "orgs", "expected",
                                  "attended", "leave", "made_up", "missing", "agenda", "minutes")])
    ws.append([])
    ws.append([_("Attendance rate"), pct(rate.rate), _("With make-up study"), pct(rate.with_makeup)])
    return _download(xlsx.content(ws), f"{org.name}-{year}.xlsx", xlsx.XLSX_TYPE)


def record_book_docx(book: RecordBook) -> HttpResponse:
    org, year, rate = book.org, book.year, book.rate
    calendar = compliance.org_calendar(org, year)
    doc = DocxTemplate(str(DOCX_TEMPLATE))
    doc.render({
        "org": org.name, "year": year, "kind": org.get_kind_display(),
        "generated_on": timezone.localdate().strftime("%Y-%m-%d"),
        "rules": [{"name": row.rule.meeting_type.name, "period": row.rule.get_period_display(),
                   "cells": " ".join(f"{c.label}:{STATE_MARKS[c.state]}" for c in row.cells)} for row in calendar],
        "meetings": book.rows,
        "rate": {"expected": rate.expected, "attended": rate.attended, "made_up": rate.made_up, "pct": pct(rate.rate)},
    }, autoescape=True)
    buffer = io.BytesIO()
    doc.save(buffer)
    return _download(buffer.getvalue(), f"{org.name}-{year}.docx", DOCX)


STATE_MARKS = {compliance.HELD: "✓", compliance.MISSED: "✗", compliance.DUE: "…", compliance.EXEMPT: "—",
               compliance.FUTURE: " "}
