"""Care (关爱服务) as `BENCH` lines: the daily task job, the campaign coverage page and the requests list.

- `care_daily_*`: one run of `care.tasks.run_daily` (birthday tasks over the whole register, departures swept,
  missed tasks closed, overdue tasks and requests escalated): right after the build (every overdue task
  is told to the street and the bureau for the first time), run again the same day (nothing left to do),
  and a week later (a week of birthdays to add, a week of tasks to close as missed). Each run is rolled
  back, so the dataset stays as built.
- `campaign_coverage_*` and `request_list_*`: BENCH_PAGES (default 50) requests each of the running
  campaign's page (coverage per street and community, and the first five pages of its targets) and of the
  requests list (the first five pages, open, overdue and all), as the bureau and as a street worker.

Scale: BENCH_SCALE=city (default; the dataset of `bench/run.py` in bench/.data, or DATABASE_URL) or
BENCH_SCALE=district (its own folder, bench/.data-district). When the dataset was built before care
existed, its five years of care records are added once.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
SCALE = os.environ.get("BENCH_SCALE", "city")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jinqiu.settings")
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("JINQIU_DATA_DIR", str(ROOT / "bench" / (".data" if SCALE == "city" else f".data-{SCALE}")))
os.environ.setdefault("JINQIU_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

from bench.run import city_dataset, report, timed  # noqa: E402

PAGES = int(os.environ.get("BENCH_PAGES", "50"))


class _Rollback(Exception):
    pass


def dataset() -> None:
    from django.core.management import call_command

    from jinqiu.people.models import Person

    if SCALE == "city":
        city_dataset()
        return
    call_command("migrate", interactive=False, verbosity=0)
    if not Person.objects.exists():
        print(f"Building the {SCALE} dataset (once; later runs reuse it) ...", flush=True)
        call_command("demo", scale=SCALE, seed=1)


def daily(today) -> dict:
    """One run of the daily job as of `today`, rolled back; returns its result and wall seconds."""
    from django.db import transaction

    from jinqiu.care.tasks import run_daily

    started = time.perf_counter()
    try:
        with transaction.atomic():
            result = run_daily(today)
            result["wall"] = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return result


def main() -> None:
    import django

    django.setup()
    from auditlog.context import disable_auditlog
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from jinqiu.accounts.models import User
    from jinqiu.care import selectors
    from jinqiu.care.models import Campaign, CampaignTarget, Request, VisitTask
    from jinqiu.care.tasks import run_daily
    from jinqiu.demo.care import build_care
    from jinqiu.people.models import Person

    dataset()
    if not Campaign.objects.exists():
        print("Adding five years of care records to the dataset (once) ...", flush=True)
        started = time.perf_counter()
        with disable_auditlog():
            build_care(seed=1, scale=SCALE)
        with connection.cursor() as cursor:  # as `jinqiu demo` does after loading: the planner learns the sizes
            cursor.execute("ANALYZE")
        print(f"BENCH care_demo_build {time.perf_counter() - started:.1f} s", flush=True)
    print(f"database: {connection.vendor}, persons: {Person.objects.count()}, tasks: {VisitTask.objects.count()}, "
          f"targets: {CampaignTarget.objects.count()}, requests: {Request.objects.count()}", flush=True)
    from jinqiu.core.startup import warm_and_freeze

    warm_and_freeze()  # as the server does at start (jinqiu/wsgi.py)

    today = timezone.localdate()
    for name, day in (("care_daily_first", today), ("care_daily_week_later", today + timedelta(days=7))):
        result = daily(day)
        print(f"BENCH {name} {result['wall']:.2f} s", flush=True)
        print(f"  {', '.join(f'{k}={v}' for k, v in result.items() if k not in ('seconds', 'wall'))}")
    # The same day twice: the second run finds nothing new (every step is idempotent).
    from django.db import transaction

    try:
        with transaction.atomic():
            run_daily(today)
            started = time.perf_counter()
            result = run_daily(today)
            print(f"BENCH care_daily_repeat {time.perf_counter() - started:.2f} s", flush=True)
            print(f"  {', '.join(f'{k}={v}' for k, v in result.items() if k != 'seconds')}")
            raise _Rollback
    except _Rollback:
        pass

    running = Campaign.objects.filter(starts_on__lte=today, ends_on__gte=today).order_by("pk").first()
    try:
        campaign_url = reverse("care:campaign", kwargs={"pk": running.pk})
        requests_url = reverse("care:requests")
        pages = True
    except NoReverseMatch:
        pages = False
        print("The care pages are not there: timing the selectors coverage() and filter_requests() instead.")
    client = Client()
    for username in ("bureau", "street"):
        user = User.objects.get(username=username)
        if pages:
            client.force_login(user)
            urls = [f"{campaign_url}?page={1 + i % 5}" for i in range(PAGES)]
            client.get(urls[0])  # warm up
            report(f"campaign_coverage_{username}", timed(client, urls))
            # open and all: the first five pages in turn; overdue: its first page
            urls = [f"{requests_url}?page={1 + i % 5}" if i % 3 == 0 else f"{requests_url}?state=overdue"
                    if i % 3 == 1 else f"{requests_url}?state=all&page={1 + i % 5}" for i in range(PAGES)]
            client.get(urls[0])
            report(f"request_list_{username}", timed(client, urls))
            client.logout()
        else:
            samples = []
            for _i in range(PAGES):
                started = time.perf_counter()
                selectors.coverage(user, running)
                samples.append((time.perf_counter() - started) * 1000)
            report(f"coverage_selector_{username}", samples)
            samples = []
            for i in range(PAGES):
                started = time.perf_counter()
                qs = selectors.filter_requests(selectors.visible_requests(user),
                                               selectors.RequestFilters(state=["open", "overdue", ""][i % 3]), user)
                list(qs[:50])
                samples.append((time.perf_counter() - started) * 1000)
            report(f"filter_requests_selector_{username}", samples)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{connection.vendor}, scale {SCALE}")


if __name__ == "__main__":
    main()
