"""Excel export of 100,000 persons: time and peak memory, printed as `BENCH` lines.

Builds (once, then reuses) a private dataset of 100,000 persons with encrypted ID numbers, each with an
active membership in one of 50 branches, in its own data folder (`bench/.data/export`, SQLite) unless
`DATABASE_URL` is set (that database must then be empty or already hold this dataset; the field key is
then kept in `bench/.data/export-pg`). The export
is then run in a fresh child process, through the real view (`/persons/export/` as the bureau user,
scope, queries, writer, FileResponse), and the whole file is read from the response; the child reports
its wall time and its peak resident memory (the whole process: Python, Django and the export).

Output:
    BENCH export_100k_seconds <s> s           (target: under 20 s)
    BENCH export_100k_peak_mb <mb> MB
    BENCH export_100k_full_seconds <s> s      (full values: 100,000 ID numbers decrypted)
"""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jinqiu.settings")
# The data folder also holds the generated field key: the dataset's ID numbers decrypt only with it.
os.environ.setdefault("JINQIU_DATA_DIR", str(ROOT / "bench" / ".data" / ("export-pg" if os.environ.get("DATABASE_URL")
                                                                           else "export")))
Path(os.environ["JINQIU_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
os.environ.setdefault("JINQIU_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

PERSONS = 100_000
BRANCHES = 50
BATCH = 5_000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘於蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = ["桂兰", "秀英", "建国", "志强", "淑珍", "国华", "玉梅", "德明", "振华", "凤英", "永福", "丽华", "长春", "金凤"]


def build() -> None:
    """Regions, a working committee with 50 branches, 100,000 persons, their memberships and a bureau user."""
    from auditlog.context import disable_auditlog
    from django.db import transaction

    from jinqiu.accounts import services as account_services
    from jinqiu.accounts.models import Role
    from jinqiu.core import crypto, idnumber
    from jinqiu.organizations import services as org_services
    from jinqiu.people.models import Membership, MembershipKind, Person
    from jinqiu.regions import services as region_services

    started = time.perf_counter()
    with disable_auditlog(), transaction.atomic():
        district = region_services.region_create(actor=None, parent=None, name="导出区", level="district",
                                                 code="320706")
        root = org_services.org_create(actor=None, parent=None, fields={
            "name": "导出区离退休干部党工委", "kind": "gongwei", "location_type": "agency"})
        branches = [org_services.org_create(actor=None, parent=root, fields={
            "name": f"第{n + 1}离退休干部党支部", "kind": "zhibu", "location_type": "community"})
            for n in range(BRANCHES)]
        account_services.user_create(actor=None, username="bureau", password="Bench#export2026",
                                     roles=[Role.BUREAU], display_name="bench", scopes=[district, root])
    first_birth = date(1930, 1, 1)
    for start in range(0, PERSONS, BATCH):
        persons = []
        for i in range(start, min(start + BATCH, PERSONS)):
            gender = "M" if i % 2 else "F"
            birth = first_birth + timedelta(days=i % 10_000)
            number = idnumber.generate(region_code="320706", birth_date=birth, sequence=(i // 10_000) * 2,
                                       gender=gender)
            persons.append(Person(
                name=SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)], gender=gender, birth_date=birth,
                id_number_enc=crypto.encrypt(number), id_number_index=crypto.blind_index(number),
                id_number_masked=idnumber.mask(number), original_unit_name=f"导出区第{i % 300}单位",
                original_position="科员", rank="副科级", retirement_type="lixiu" if i % 40 == 0 else "tuixiu",
                retirement_date=date(birth.year + 60, birth.month, min(birth.day, 28)), address=f"导出区幸福路{i}号",
                mobile=f"139{i:08d}", health=["good", "fair", "poor", "bedridden"][i % 4],
                living=["spouse", "children", "alone", "empty_nest"][i % 4], is_party_member=True,
                joined_party_on=date(birth.year + 25, birth.month, min(birth.day, 28)),
                note="=1+1 看似公式的备注" if i % 1000 == 0 else "",
            ))
        with transaction.atomic():
            created = Person.objects.bulk_create(persons)
            Membership.objects.bulk_create([
                Membership(person=p, kind=MembershipKind.PRIMARY, org=branches[n % BRANCHES],
                           started_on=date(2015, 1, 1))
                for n, p in enumerate(created, start=start)
            ])
        print(f"  {start + len(persons)} persons", flush=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics for the fresh tables, as the demo builder does
    print(f"built in {time.perf_counter() - started:.0f} s", flush=True)


def measure() -> None:
    """In a fresh process: export once masked (time, peak memory), once with full values (time)."""
    import django

    django.setup()
    from django.test import Client

    from jinqiu.accounts.models import AccessLog, User

    client = Client()
    client.force_login(User.objects.get(username="bureau"))
    for name, call in (
        ("export_100k", lambda: client.get("/persons/export/")),
        ("export_100k_full", lambda: client.post("/persons/export/full/", {"reason": "bench", "query": ""})),
    ):
        started = time.perf_counter()
        response = call()
        if response.status_code != 200:
            raise SystemExit(f"{name}: the export answered {response.status_code}")
        size = sum(len(chunk) for chunk in response.streaming_content)
        seconds = time.perf_counter() - started
        entry = AccessLog.objects.order_by("-pk").first()
        print(f"BENCH {name}_seconds {seconds:.1f} s", flush=True)
        if name == "export_100k":
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"BENCH {name}_peak_mb {peak_mb:.0f} MB", flush=True)
        print(f"  {name}: {size / 1e6:.1f} MB file; access log: {entry.detail}", flush=True)


def main() -> None:
    if sys.argv[1:] == ["--measure"]:
        measure()
        return
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from jinqiu.people.models import Person

    call_command("migrate", interactive=False, verbosity=0)
    persons = Person.objects.count()
    if persons == 0:
        print(f"Building {PERSONS} persons for the export bench (once; later runs reuse them) ...", flush=True)
        build()
    elif persons < PERSONS:
        raise SystemExit(f"The bench database holds {persons} persons, fewer than {PERSONS}: empty it first.")
    print(f"database: {connection.vendor}, persons: {Person.objects.count()}", flush=True)
    connection.close()
    subprocess.run([sys.executable, __file__, "--measure"], check=True, env=os.environ.copy())
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")


if __name__ == "__main__":
    main()
