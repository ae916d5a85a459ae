"""Roster import pages: upload → preview (with mapping correction) → commit; the rejected rows as Excel."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jinqiu.accounts.scoping import get_visible_or_404, visible_orgs
from jinqiu.core.web import is_htmx, require

from . import tasks
from .models import ImportStatus, RosterImport
from .rosters import columns, reader
from .rosters import services as roster_services


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Roster file (.xlsx, .xls or .csv)"))
    into_org = forms.ModelChoiceField(
        label=gettext_lazy("Party organisation for rows without one"), queryset=None, required=False,
        help_text=gettext_lazy("Rows without a 所在党组织 are placed here; a row that is not a party member is "
                               "placed by its 居住社区 column or by this organisation's 管理服务单位. A row placed "
                               "nowhere within your scope is rejected."))

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into_org"].queryset = orgs.order_by("path")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            reader.check_name(upload.name)
            reader.check_size(upload.size)
        except reader.FileRejected as exc:
            raise forms.ValidationError(str(exc.message)) from None
        return upload


def _imports(request):
    return RosterImport.objects.filter(actor=request.user).select_related("into_org")


def _store(upload) -> str:
    """The upload saved through the storage API (see settings.STORAGES): its storage name, never a local path."""
    return roster_services.store_file(upload, upload.name)


def import_list(request):
    require(request.user.can_edit)
    form = UploadForm(request.POST or None, request.FILES or None, orgs=visible_orgs(request.user))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        stored_name = _store(upload)
        imp = roster_services.roster_import_start(actor=request.user, stored_name=stored_name, file_name=upload.name,
                                                  into_org=form.cleaned_data["into_org"])
        if upload.size <= settings.ROSTER_IMPORT_BACKGROUND_BYTES:
            roster_services.roster_import_preview(imp=imp, actor=request.user)
        else:
            RosterImport.objects.filter(pk=imp.pk).update(status=ImportStatus.READING)
            tasks.roster_preview(imp.pk)
        return redirect("rosters:detail", pk=imp.pk)
    imports = _imports(request)[:20]
    return render(request, "people/roster_list.html", {"form": form, "imports": imports})


def _mapping_rows(imp: RosterImport) -> list[dict]:
    headers = imp.result.get("headers", [])
    mapping = imp.result.get("mapping", {})
    return [{"index": i, "header": h or "—", "key": mapping.get(str(i), "")} for i, h in enumerate(headers)]


def import_detail(request, pk: int):
    imp = get_visible_or_404(_imports(request), pk=pk)
    require(request.user.can_edit)
    context = {"imp": imp, "r": imp.result, "mapping_rows": _mapping_rows(imp),
               "choices": [(c.key, c.header) for c in columns.COLUMNS],
               "errors": imp.result.get("errors", [])[:500], "warnings": imp.result.get("warnings", [])[:500]}
    return render(request, "people/roster_detail.html", context)


def import_progress(request, pk: int):
    imp = get_visible_or_404(_imports(request), pk=pk)
    require(request.user.can_edit)
    if imp.status not in (ImportStatus.READING, ImportStatus.UPLOADED, ImportStatus.COMMITTING) and is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("rosters:detail", args=[imp.pk])
        return response
    return render(request, "people/roster_progress.html", {"imp": imp})


@require_POST
def import_mapping(request, pk: int):
    imp = get_visible_or_404(_imports(request), pk=pk)
    require(request.user.can_edit)
    if imp.status != ImportStatus.PREVIEWED:
        return redirect("rosters:detail", pk=imp.pk)
    keys = {c.key for c in columns.COLUMNS}
    mapping, used = {}, set()
    for i in range(len(imp.result.get("headers", []))):
        key = request.POST.get(f"col{i}", "")
        if key in keys and key not in used:
            mapping[str(i)] = key
            used.add(key)
    imp.mapping = mapping
    imp.save(update_fields=["mapping"])
    roster_services.roster_import_preview(imp=imp, actor=request.user)
    return redirect("rosters:detail", pk=imp.pk)


@require_POST
def import_commit(request, pk: int):
    imp = get_visible_or_404(_imports(request), pk=pk)
    require(request.user.can_edit)
    roster_services.roster_import_commit(imp=imp, actor=request.user)
    return redirect("rosters:detail", pk=imp.pk)


def import_errors(request, pk: int):
    """The rejected rows as they were, plus an error column: fix them and upload the file again."""
    imp = get_visible_or_404(_imports(request), pk=pk)
    require(request.user.can_edit)
    from jinqiu.core import xlsx

    # The one export writer: every text cell is escaped ("'=…", which the importer reads back as "=…").
    ws = xlsx.SheetWriter(_("Rejected rows"))
    ws.append([*imp.result.get("headers", []), _("Row in the original file"), _("Errors")])
    for item in imp.result.get("rejected_rows", []):
        ws.append([str(v) for v in item["values"]] + [item["row"], item["error"]])
    response = HttpResponse(xlsx.content(ws), content_type=xlsx.XLSX_TYPE)
    stem = Path(imp.file_name).stem
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(stem)}-errors.xlsx"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)
