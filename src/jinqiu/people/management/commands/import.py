"""`jinqiu import roster FILE [--into ORG] [--dry-run | --commit] [--json] [--user NAME]`."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jinqiu.organizations.models import PartyOrg
from jinqiu.people.models import ImportStatus
from jinqiu.people.rosters import importer, reader, services


class Command(BaseCommand):
    help = "Import a roster (花名册): .xlsx, .xls or .csv. Checks only unless --commit is given."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["roster"])
        parser.add_argument("file")
        parser.add_argument("--into", help="party organisation (name or number) for rows without one")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--dry-run", action="store_true", help="check and report, write nothing (default)")
        mode.add_argument("--commit", action="store_true", help="write every accepted row in one transaction")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--user", help="import within this user's scope (default: the whole registry)")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        actor = None
        if opts["user"]:
            from django.contrib.auth import get_user_model

            actor = get_user_model().objects.filter(username=opts["user"]).first()
            if actor is None or not actor.can_edit:
                raise CommandError(_("No user %(name)s who may import.") % {"name": opts["user"]})
        into = self._org(opts["into"], actor) if opts["into"] else None
        imp = services.roster_import_start(actor=actor, path=path.resolve(), file_name=path.name, into_org=into,
                                           source="cli")
        try:
            call = importer.commit if opts["commit"] else importer.analyse
            analysis = call(actor=actor, path=path, file_name=path.name, into_org=into,
                            **({"roster_import": imp} if opts["commit"] else {}))
        except reader.FileRejected as exc:
            imp.status, imp.error = ImportStatus.FAILED, str(exc.message)
            imp.save(update_fields=["status", "error"])
            (services.log_commit if opts["commit"] else services.log_preview)(imp=imp, actor=actor, error=imp.error)
            if opts["json"]:
                self.stdout.write(json.dumps({"new": 0, "update": 0, "unchanged": 0, "rejected": 0, "errors": [
                    {"row": None, "column": None, "message": str(exc.message)}], "warnings": [],
                    "file_rejected": True}, ensure_ascii=False))
            raise CommandError(str(exc.message)) from None
        out = analysis.as_json()
        imp.result = out
        if opts["commit"]:
            from django.utils import timezone

            imp.status, imp.committed_at = ImportStatus.COMMITTED, timezone.now()
        else:
            imp.status = ImportStatus.PREVIEWED
        imp.save(update_fields=["result", "status", "committed_at"])
        (services.log_commit if opts["commit"] else services.log_preview)(imp=imp, actor=actor, analysis=analysis)
        if opts["json"]:
            keys = ("new", "update", "unchanged", "rejected", "skipped", "errors", "warnings", "changes",
                    "filled_down", "sheet", "header_row")
            data = {k: out[k] for k in keys}
            data["committed"] = bool(opts["commit"])
            self.stdout.write(json.dumps(data, ensure_ascii=False, default=str))
            return
        self._report(out, committed=opts["commit"])

    def _org(self, value: str, actor) -> PartyOrg:
        orgs = importer.Scope(actor).orgs
        found = list(orgs.filter(pk=int(value))) if value.isdigit() else list(orgs.filter(name=value.strip()))
        if len(found) != 1:
            raise CommandError(_("--into: %(count)s party organisations match “%(value)s”.")
                               % {"count": len(found), "value": value})
        return found[0]

    def _report(self, out: dict, *, committed: bool) -> None:
        w = self.stdout.write
        w(_("Sheet “%(sheet)s”, header on row %(row)s.") % {"sheet": out["sheet"], "row": out["header_row"]})
        w(_("New: %(new)s  Update: %(update)s  Unchanged: %(unchanged)s  Rejected: %(rejected)s  "
            "Not overwritten: %(skipped)s") % out)
        for column, count in out["filled_down"].items():
            w(_("%(count)s merged cells of %(column)s were filled down.") % {"count": count, "column": column})
        for e in out["errors"]:
            w(_("Row %(row)s, %(column)s: %(message)s") % e)
        for e in out["warnings"]:
            w(_("Warning, row %(row)s, %(column)s: %(message)s") % e)
        for change in out["changes"][:200]:
            fields = "；".join(f"{f['field']}: {f['old']} → {f['new']}" for f in change["fields"])
            w(_("Row %(row)s, %(name)s: %(fields)s") % {"row": change["row"], "name": change["name"], "fields": fields})
        if committed:
            total = out["new"] + out["update"]
            w(_("Written: %(count)s persons.") % {"count": total} if total else
              _("Nothing changed: the registry already holds this roster."))
        else:
            w(_("Nothing was written (dry run). Add --commit to import."))
