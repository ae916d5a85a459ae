"""manage.py demo [--scale district|city|province] [--seed N] [--if-empty]"""

from __future__ import annotations

import time
import unicodedata

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from jinqiu.demo.builder import PUBLIC_SCALES, SCALES, DemoError, build
from jinqiu.people.models import Person


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


class Command(BaseCommand):
    help = "Fill an empty database with a realistic demo district (or city, or province) and demo accounts."

    def add_arguments(self, parser) -> None:
        # "tiny" is accepted but not advertised: it is for tests.
        parser.add_argument("--scale", default="district", choices=list(SCALES),
                            help=f"How much to build: {', '.join(PUBLIC_SCALES)} (default: district).")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same data (default: 1).")
        parser.add_argument("--if-empty", action="store_true",
                            help="Do nothing, and say so, if the database already holds persons.")

    def handle(self, *args, scale: str, seed: int, if_empty: bool, **options) -> None:
        if if_empty:
            existing = Person.objects.count()
            if existing:
                self.stdout.write(f"The database already holds {existing} persons: no demo data added.")
                self._existing_accounts()
                return
        started = time.monotonic()

        def progress(message: str) -> None:
            self.stdout.write(f"[{time.monotonic() - started:6.1f}s] {message}")
            self.stdout.flush()

        self.stdout.write(f"Building the {scale} demo (seed {seed}) ...")
        try:
            result = build(scale=scale, seed=seed, progress=progress)
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        # Fresh statistics let the query planner pick the scope's indexes over a full scan.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(f"Demo built in {result['seconds']} s."))
        self._counts(result["counts"])
        self._accounts(result)

    def _counts(self, counts: dict) -> None:
        self.stdout.write("")
        self.stdout.write("Counts:")
        width = max(len(k) for k in counts)
        for key, value in counts.items():
            self.stdout.write(f"  {key.ljust(width)}  {value:>9,}")

    def _existing_accounts(self) -> None:
        """On a later start, list the demo accounts that are still there (their passwords may have changed)."""
        from jinqiu.accounts.models import User
        from jinqiu.demo.builder import ACCOUNTS, DEMO_PASSWORD

        users = User.objects.filter(username__in=[name for name, _ in ACCOUNTS])
        by_name = {u.username: u for u in users}
        accounts = [(name, str(role.label), "") for name, role in ACCOUNTS if name in by_name]
        if accounts:
            self._accounts({"password": DEMO_PASSWORD, "accounts": accounts})

    def _accounts(self, result: dict) -> None:
        from jinqiu.accounts.models import User
        from jinqiu.accounts.scoping import visible_orgs, visible_persons

        password = result["password"]
        rows = [("user", "password", "role", "persons", "orgs", "sees")]
        for username, role, description in result["accounts"]:
            user = User.objects.get(username=username)
            rows.append((username, password, role, str(visible_persons(user).count()),
                         str(visible_orgs(user).count()), description))
        widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (all with the password {password}):")
        for n, row in enumerate(rows):
            line = "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row[:-1])) + "  " + row[-1]
            self.stdout.write("  " + line)
            if n == 0:
                self.stdout.write("  " + "-" * (sum(widths) + 2 * len(widths) + 10))
