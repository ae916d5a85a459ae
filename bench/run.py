"""`make bench`: build the city dataset (once) and time the pages that matter, printing `BENCH` lines.

Runs on SQLite in `bench/.data` by default and on PostgreSQL when `DATABASE_URL` is set (the database
must then be empty or already hold the city dataset: the bench never deletes anything). Requests go
through Django's test client in this process, so the figures are the server's own time per request
(URL routing, middleware, scope, queries, template) without a network in between.

Times, as the bureau (the whole city) and a street worker: search and the person list (BENCH_REQUESTS
each, default 200), then the home page, person details, the organisation list and details and the unit
list (BENCH_PAGES each, default 50).

Output: one `BENCH <name> <value> <unit>` line per figure, then a line naming the machine.
"""

from __future__ import annotations

import os
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jinqiu.settings")
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("JINQIU_DATA_DIR", str(ROOT / "bench" / ".data"))
os.environ.setdefault("JINQIU_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
CITY_PERSONS = 40_000  # the city scale builds 50,000; fewer means it was never built here


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    k = (len(ordered) - 1) * pct / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def report(name: str, samples_ms: list[float]) -> None:
    print(f"BENCH {name}_p50 {percentile(samples_ms, 50):.1f} ms")
    print(f"BENCH {name}_p95 {percentile(samples_ms, 95):.1f} ms", flush=True)


def timed(client, urls: list[str], before=None) -> list[float]:
    """Milliseconds per request; `before()`, when given, runs ahead of each request, outside its time."""
    samples = []
    for url in urls:
        if before is not None:
            before()
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return samples


def city_dataset() -> None:
    """Migrate, and build the city dataset unless it is there (call after django.setup())."""
    from django.core.management import call_command

    from jinqiu.people.models import Person

    call_command("migrate", interactive=False, verbosity=0)
    persons = Person.objects.count()
    if persons == 0:
        print("Building the city dataset (once; later runs reuse it) ...", flush=True)
        call_command("demo", scale="city", seed=1)
    elif persons < CITY_PERSONS:
        raise SystemExit(f"The bench database holds {persons} persons, not the city dataset: empty it first.")


def other_pages(username: str, rng: random.Random) -> dict[str, list[str]]:
    """The other main pages, each over BENCH_PAGES (default 50) objects the user sees."""
    from jinqiu.accounts.models import User
    from jinqiu.accounts.scoping import visible_orgs, visible_persons

    user = User.objects.get(username=username)
    count = int(os.environ.get("BENCH_PAGES", "50"))
    persons = list(visible_persons(user).order_by().values_list("pk", flat=True)[:5000])
    orgs = list(visible_orgs(user).order_by().values_list("pk", flat=True))
    return {
        "home": ["/"] * count,
        "person_detail": [f"/persons/{pk}/" for pk in rng.choices(persons, k=count)],
        "org_list": [f"/orgs/?page={rng.randint(1, 5)}" for _ in range(count)],
        "org_detail": [f"/orgs/{pk}/" for pk in rng.choices(orgs, k=count)],
        "unit_list": [f"/orgs/units/?page={rng.randint(1, 5)}" for _ in range(count)],
    }


def main() -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from jinqiu.accounts.models import User
    from jinqiu.core import text
    from jinqiu.people.models import Person

    city_dataset()
    print(f"database: {connection.vendor}, persons: {Person.objects.count()}", flush=True)
    from jinqiu.core.startup import warm_and_freeze

    warm_and_freeze()  # as the server does at start (jinqiu/wsgi.py)

    rng = random.Random(1)
    sample = list(Person.objects.order_by("?" if connection.vendor == "postgresql" else "pk")
                  .values_list("name", "id_number_masked")[:5000])
    rng.shuffle(sample)
    queries = []
    for i, (name, mask) in enumerate(sample[:REQUESTS]):
        kind = i % 4
        if kind == 0:
            queries.append(name)
        elif kind in (1, 2):
            keys = text.name_keys(name)  # [written, simplified, ..., full pinyin, initials, ...]
            pinyin = [k for k in keys if k.isascii()]
            queries.append(pinyin[1] if kind == 1 and len(pinyin) > 1 else pinyin[0] if pinyin else name)
        else:
            queries.append(mask[-4:])

    client = Client()
    for username in ("bureau", "street"):
        client.force_login(User.objects.get(username=username))
        client.get("/persons/")  # warm up caches and connections
        search = timed(client, [f"/persons/?q={q}" for q in queries])
        report(f"search_{username}", search)
        pages = [f"/persons/?page={rng.randint(1, 40)}" for _ in range(REQUESTS // 2)]
        pages += [f"/persons/?party=yes&age_band={rng.choice(['60', '70', '80', '90'])}&page={rng.randint(1, 5)}"
                  for _ in range(REQUESTS - len(pages))]
        report(f"person_list_{username}", timed(client, pages))
        for name, urls in other_pages(username, rng).items():
            client.get(urls[0])
            report(f"{name}_{username}", timed(client, urls))
        client.logout()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{connection.vendor} {connection.Database.sqlite_version if connection.vendor == 'sqlite' else ''}")


if __name__ == "__main__":
    main()
