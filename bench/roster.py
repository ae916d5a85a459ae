"""`make bench` (roster import): a generated 100,000-row 花名册 through our import and through
django-import-export's ModelResource, on the same models and the same file.

Each importer runs in its own child process on its own fresh SQLite database (or, with DATABASE_URL,
it is refused: the bench never touches a shared database), so that the peak memory (ru_maxrss) of one
does not hide the other's. Timed: reading, validating and writing every row of the file on both sides
(our `commit`, their `import_data(dry_run=False)`), the 18-digit ID's encryption, blind index and search
keys included on both sides, and the same change history on both sides: the import's batch rows
(ImportedPerson: one per person created, naming the RosterImport), which ours writes in its commit and
theirs writes right after `import_data`, in the same transaction. Theirs runs in its fastest honest
configuration: `use_bulk=True` (bulk_create in batches of 2,000, as ours), `skip_diff=True`, and
CachedInstanceLoader (one query for the registered persons, not one per row). Neither side writes a
django-auditlog entry per new person: ours inserts rows, theirs bulk_creates (no signals).
Prints `BENCH <name> <value> <unit>` lines.

    .venv/bin/python bench/roster.py [ROWS]          (default 100000, on both sides)
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jinqiu.settings")

HEADERS = ["序号", "姓名", "性别", "民族", "身份证号", "出生年月", "原工作单位", "原职务(职级)", "离/退休",
           "离退休时间", "入党时间", "所在党组织", "现居住地址", "联系电话", "健康状况", "居住情况", "备注", "居住社区"]
COMMUNITY = "新东社区"  # every row lives there: a person is imported only where someone can see them


def generate(path: Path, rows: int) -> None:
    import random

    import openpyxl

    from jinqiu.core import idnumber

    rng = random.Random(7)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("花名册")
    ws.append(["金秋区离退休干部花名册"])
    ws.append(["填报单位：金秋区委老干部局", "", "", "", "填报时间：2026年11月"])
    ws.append(HEADERS)
    start = date(1930, 1, 1)
    surnames, given = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗", "桂兰建国秀英志强德明玉珍淑华"
    for i in range(rows):
        gender = "M" if i % 3 else "F"
        birth = start + timedelta(days=(i * 7) % 9000)
        number = idnumber.generate(region_code=f"{110000 + i // 1000:06d}", birth_date=birth,
                                   sequence=i % 1000, gender=gender)
        party = i % 2 == 0
        ws.append([i + 1, rng.choice(surnames) + rng.choice(given) + rng.choice(given),
                   "男" if gender == "M" else "女", "汉族", number, birth.isoformat(), "区教育局", "科员",
                   "退休", date(2000 + i % 20, 1 + i % 12, 1).isoformat(),
                   date(1970 + i % 20, 7, 1).isoformat() if party else "", "", f"新东社区{i % 300}号",
                   f"138{i:08d}", "良好", "独居", "", COMMUNITY])
    wb.save(path)


def _setup_db(data_dir: str) -> None:
    os.environ["JINQIU_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    from jinqiu.regions import services

    district = services.region_create(actor=None, parent=None, name="金秋区", level="district", code="320706")
    street = services.region_create(actor=None, parent=district, name="新浦街道", level="street")
    services.region_create(actor=None, parent=street, name=COMMUNITY, level="community")


BATCH = 2000  # our importer's chunk: rows per INSERT round trip, on both sides


def _import_row(path: Path):
    """The RosterImport the batch rows name: the upload's log row, written before the timed part."""
    from jinqiu.people.models import RosterImport

    return RosterImport.objects.create(file_name=path.name, stored_path=path.name, source="bench")


def _batch_rows_written(imp) -> int:
    from jinqiu.people.models import ImportedPerson

    return ImportedPerson.objects.filter(roster_import=imp).count()


def run_ours(path: Path) -> dict:
    from jinqiu.people.rosters import importer

    imp = _import_row(path)
    t = time.perf_counter()
    analysis = importer.commit(actor=None, path=path, file_name=path.name, roster_import=imp)
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "written": analysis.counts["new"], "rejected": analysis.counts["rejected"],
            "rows": analysis.counts["new"] + analysis.counts["rejected"], "batch_rows": _batch_rows_written(imp)}


def _theirs_batch_rows(imp, indexes: list[str]) -> None:
    """What ours writes for its history: one ImportedPerson per person created, naming the import."""
    from django.utils import timezone

    from jinqiu.people.models import ImportedAction, ImportedPerson, Person

    at = timezone.now()
    for start in range(0, len(indexes), BATCH):
        pks = Person.objects.filter(id_number_index__in=indexes[start:start + BATCH]).values_list("pk", flat=True)
        ImportedPerson.objects.bulk_create([
            ImportedPerson(roster_import=imp, person_id=pk, action=ImportedAction.CREATED, at=at) for pk in pks
        ], batch_size=BATCH)


def run_theirs(path: Path) -> dict:
    import tablib
    from django.db import transaction
    from import_export import fields, instance_loaders, resources, widgets

    from jinqiu.core import crypto, idnumber
    from jinqiu.people.models import Person
    from jinqiu.people.services import refresh_search_text
    from jinqiu.regions.models import Region

    community = Region.objects.get(name=COMMUNITY).pk  # looked up once, as our importer does
    encrypt = crypto.encrypter()  # the cipher set up once, as ours

    class PersonResource(resources.ModelResource):
        name = fields.Field(attribute="name", column_name="姓名")
        ethnicity = fields.Field(attribute="ethnicity", column_name="民族")
        original_unit_name = fields.Field(attribute="original_unit_name", column_name="原工作单位")
        original_position = fields.Field(attribute="original_position", column_name="原职务(职级)")
        retirement_type = fields.Field(attribute="retirement_type", column_name="离/退休")
        retirement_date = fields.Field(attribute="retirement_date", column_name="离退休时间",
                                       widget=widgets.DateWidget("%Y-%m-%d"))
        joined_party_on = fields.Field(attribute="joined_party_on", column_name="入党时间",
                                       widget=widgets.DateWidget("%Y-%m-%d"))
        address = fields.Field(attribute="address", column_name="现居住地址")
        mobile = fields.Field(attribute="mobile", column_name="联系电话")
        health = fields.Field(attribute="health", column_name="健康状况")
        living = fields.Field(attribute="living", column_name="居住情况")
        note = fields.Field(attribute="note", column_name="备注")
        id_number_index = fields.Field(attribute="id_number_index", column_name="id_number_index")

        class Meta:
            model = Person
            import_id_fields = ("id_number_index",)
            use_bulk, batch_size, skip_diff = True, BATCH, True
            instance_loader_class = instance_loaders.CachedInstanceLoader
            fields = ("name", "ethnicity", "original_unit_name", "original_position", "retirement_type",
                      "retirement_date", "joined_party_on", "address", "mobile", "health", "living", "note",
                      "id_number_index")

        def before_import_row(self, row, **kwargs):
            for key, value in list(row.items()):
                if value is None:
                    row[key] = ""  # empty cells: the model's text fields are NOT NULL
            row["离/退休"] = {"离休": "lixiu", "退休": "tuixiu"}[row["离/退休"]]
            row["健康状况"] = {"良好": "good"}.get(row["健康状况"], "")
            row["居住情况"] = {"独居": "alone"}.get(row["居住情况"], "")

        def before_save_instance(self, instance, row, **kwargs):
            info = infos[instance.id_number_index]
            # Person.set_id_number without a second blind index (the import id already holds it).
            instance.id_number_enc, instance.id_number_masked = encrypt(info.number), idnumber.mask(info.number)
            instance.birth_date, instance.gender = info.birth_date, info.gender
            instance.is_party_member = bool(instance.joined_party_on)
            instance.region_id = community
            refresh_search_text(instance, info.number)

    infos: dict[str, idnumber.IdInfo] = {}

    def fill_indexes(dataset) -> list[str]:
        """Each row's ID number parsed once, and its blind index as the import id column (CachedInstanceLoader
        reads the column to load the registered persons in one query)."""
        column, indexes = dataset.headers.index("身份证号"), []
        for row in dataset:
            info = idnumber.parse(row[column])
            indexes.append(crypto.blind_index(info.number))
            infos[indexes[-1]] = info
        dataset.append_col(indexes, header="id_number_index")
        return indexes

    imp = _import_row(path)
    t = time.perf_counter()
    with path.open("rb") as handle:
        dataset = tablib.Dataset().load(handle, format="xlsx", skip_lines=2)
    with transaction.atomic():
        indexes = fill_indexes(dataset)
        result = PersonResource().import_data(dataset, dry_run=False, raise_errors=True)
        _theirs_batch_rows(imp, indexes)
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "written": result.totals.get("new", 0), "rows": len(dataset),
            "batch_rows": _batch_rows_written(imp)}


def child(which: str, path: str) -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        _setup_db(data_dir)
        out = run_ours(Path(path)) if which == "ours" else run_theirs(Path(path))
        out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(out))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:4])
        return
    if os.environ.get("DATABASE_URL"):
        print("bench/roster.py runs on its own SQLite databases: unset DATABASE_URL", file=sys.stderr)
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "roster.xlsx"
        import django

        os.environ["JINQIU_DATA_DIR"] = folder
        django.setup()
        generate(path, rows)
        results = {}
        for which in ("ours", "theirs"):
            done = subprocess.run([sys.executable, __file__, "--child", which, str(path)],
                                  capture_output=True, text=True, env=env, check=True)
            results[which] = json.loads(done.stdout.strip().splitlines()[-1])
    ours, theirs = results["ours"], results["theirs"]
    for side in (ours, theirs):  # the same work on both sides, or no figure at all
        if (side["written"], side["batch_rows"]) != (rows, rows):
            raise SystemExit(f"bench/roster.py: expected {rows} persons and batch rows, got {side}")
    ours_rate = ours["written"] / ours["seconds"]
    theirs_rate = theirs["written"] / theirs["seconds"]
    print(f"BENCH roster_import_rows {ours['written']} rows")
    print(f"BENCH roster_import_seconds {ours['seconds']:.1f} s")
    print(f"BENCH roster_import_rows_per_s {ours_rate:.0f} rows/s")
    print(f"BENCH roster_import_peak_mem {ours['peak_mb']:.0f} MB")
    print(f"BENCH roster_iee_rows {theirs['written']} rows")
    print(f"BENCH roster_iee_seconds {theirs['seconds']:.1f} s")
    print(f"BENCH roster_iee_rows_per_s {theirs_rate:.0f} rows/s")
    print(f"BENCH roster_iee_peak_mem {theirs['peak_mb']:.0f} MB")
    print(f"BENCH roster_import_speedup {ours_rate / theirs_rate:.1f} x", flush=True)


if __name__ == "__main__":
    main()
