"""The browser fixtures shared by tests/e2e and tests/ui: one Chromium per test process, axe on every page.

They are registered once, in tests/conftest.py: a session fixture defined in two conftests would start a
second Playwright in the same process, which the sync API refuses."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("JINQIU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-quic", "--no-first-run", "--disable-sync"]

# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _serve_one_request_at_a_time():
    """On SQLite the tests' in-memory database is one connection that the live server shares.

    Django's live server answers each request in its own thread, so a page load and the browser's
    favicon request could use that connection at the same moment and read each other's rows. The
    browser tests therefore get a server that answers requests one after another (it then closes
    each HTTP connection, so the browser never waits on a kept-alive socket).
    """
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread

    class SerialWSGIServer(WSGIServer):
        def __init__(self, *args, connections_override=None, **kwargs):
            super().__init__(*args, **kwargs)
            self.connections_override = connections_override

    LiveServerThread.server_class = SerialWSGIServer


_serve_one_request_at_a_time()


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package (see .ci/run)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class A11y:
    """Runs axe on a page and collects serious or critical violations."""

    def __init__(self):
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.problems: list[str] = []
        self.pages = 0

    def check(self, page) -> None:
        results = self.axe.run(page)
        self.pages += 1
        for v in results.response["violations"]:
            if v["impact"] in ("serious", "critical"):
                targets = [n["target"] for n in v["nodes"]][:3]
                self.problems.append(f"{page.url}: {v['id']} ({v['impact']}) {v['help']} {targets}")


@pytest.fixture
def a11y():
    checker = A11y()
    yield checker
    assert not checker.problems, "axe found serious or critical violations:\n" + "\n".join(checker.problems)
