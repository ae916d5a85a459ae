"""Organisational life on the city dataset: subtree compliance and attendance, as `BENCH` lines.

Times 50 requests (BENCH_REQUESTS) of the 组织生活 overview page, of the compliance API and of the meetings
list API (the first five pages, at 50 and at 500 rows a page), as the bureau (the whole city: about 2,000
organisations, five years of meetings) and as a street worker.
Subtree compliance is cached under a version that moves when a meeting is recorded, moved or reopened,
and attendance rates under one that also moves with every attendance mark: the plain lines read them as
users do (the first request after a change computes, the next ones read); the `_uncached` lines move
both versions on before every request, as if a meeting had just been recorded, so each one computes
from scratch.
Uses the dataset of `bench/run.py` (bench/.data, or DATABASE_URL); when it was built before the
meetings existed, the five years of meetings are added once.
"""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jinqiu.settings")
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("JINQIU_DATA_DIR", str(ROOT / "bench" / ".data"))
os.environ.setdefault("JINQIU_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

from bench.run import city_dataset, report, timed  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "50"))


def main() -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from jinqiu.accounts.models import User
    from jinqiu.demo.orglife import build_orglife
    from jinqiu.organizations.models import PartyOrg
    from jinqiu.orglife.models import Attendance, Meeting
    from jinqiu.orglife.services import held_months_changed, tallies_changed

    city_dataset()
    if not Meeting.objects.exists():
        print("Adding five years of meetings to the city dataset (once) ...", flush=True)
        build_orglife(seed=1)
    print(f"database: {connection.vendor}, organisations: {PartyOrg.objects.count()}, "
          f"meetings: {Meeting.objects.count()}, attendances: {Attendance.objects.count()}", flush=True)
    from jinqiu.core.startup import warm_and_freeze

    warm_and_freeze()  # as the server does at start (jinqiu/wsgi.py)

    client = Client()
    for username in ("bureau", "street"):
        client.force_login(User.objects.get(username=username))
        for name, url in (("orglife_overview", "/orglife/"), ("orglife_compliance_api", "/api/orglife/compliance")):
            client.get(url)  # warm up
            report(f"{name}_{username}", timed(client, [url] * REQUESTS))
            # each request right after a change: the summary is computed, not read from the cache
            report(f"{name}_{username}_uncached", timed(client, [url] * REQUESTS,
                                                        before=lambda: (held_months_changed(), tallies_changed())))
        for limit in (50, 500):
            # the first five pages of the meetings list, newest first, in turn
            urls = [f"/api/orglife/meetings?limit={limit}&offset={limit * (i % 5)}" for i in range(REQUESTS)]
            client.get(urls[0])  # warm up
            report(f"meetings_api_{username}_limit{limit}", timed(client, urls))
        client.logout()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{connection.vendor}")


if __name__ == "__main__":
    main()
