"""Scope matrix entries for the roster import pages: an import is seen only by the user who uploaded it."""

from __future__ import annotations

from datetime import date

from tests.matrix import Case


def _import(w, persona: str):
    import tempfile
    from pathlib import Path

    from django.conf import settings

    from jinqiu.people.rosters import services
    from tests.rosters.files import pid, row, xlsx

    folder = Path(settings.MEDIA_ROOT) / "rosters"
    folder.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkstemp(suffix=".xlsx", dir=folder)[1])
    xlsx(path, [row("矩阵", pid(date(1950, 3, 12))), row("坏行", "123")])
    imp = services.roster_import_start(actor=w.users[persona], path=path, file_name="花名册.xlsx")
    services.roster_import_preview(imp=imp, actor=w.users[persona])
    return {"pk": imp.pk}


def _mine(w):
    return _import(w, "street")


def _theirs(w):
    return _import(w, "bureau")


# An import exists only for the user who uploaded it: anyone else gets 404.
ONLY_THE_UPLOADER = {"sees_in": {"street"}, "sees_out": {"bureau"}}

MATRIX: dict[str, Case] = {
    "rosters:list": Case({"bureau", "street"}),
    "rosters:detail": Case({"street"}, {"bureau"}, _mine, _theirs, **ONLY_THE_UPLOADER),
    "rosters:progress": Case({"street"}, {"bureau"}, _mine, _theirs, **ONLY_THE_UPLOADER),
    "rosters:errors": Case({"street"}, {"bureau"}, _mine, _theirs, **ONLY_THE_UPLOADER),
    "rosters:mapping": Case({"street"}, {"bureau"}, _mine, _theirs, method="post",
                            data={"col1": "name", "col4": "id_number"}, **ONLY_THE_UPLOADER),
    "rosters:commit": Case({"street"}, {"bureau"}, _mine, _theirs, method="post", **ONLY_THE_UPLOADER),
}
