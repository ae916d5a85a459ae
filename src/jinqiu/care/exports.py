"""Sending a care list as .xlsx: written by the one export writer, logged in the access log (in Chinese,
whoever exported), never cached."""

from __future__ import annotations

from collections.abc import Callable

from django.http import FileResponse
from django.utils import timezone, translation

from jinqiu.accounts.models import AccessAction
from jinqiu.accounts.services import access_log_record
from jinqiu.core import xlsx
from jinqiu.core.web import client_ip


def send(request, ws: xlsx.SheetWriter, *, filename: str, detail: Callable[[], str]) -> FileResponse:
    """`detail` is called under zh-hans so that the log reads the same whoever exported."""
    with translation.override("zh-hans"):
        text = detail()
    access_log_record(actor=request.user, action=AccessAction.EXPORT, reason="", detail=text,
                      ip_address=client_ip(request))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = FileResponse(ws.save(), as_attachment=True, filename=f"{filename}-{stamp}.xlsx",
                            content_type=xlsx.XLSX_TYPE)
    response["Cache-Control"] = "no-store"
    return response
