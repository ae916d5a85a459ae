"""Every GET page of the scope matrix at 390 px: targets ≥ 44 px, text ≥ 16 px, reflow at 200% text, axe.

One browser context per persona (logged in once), one page object, each page visited once.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.test_scope_matrix import MATRIX, _officers
from tests.ui.measure import (
    DOUBLE_TEXT,
    MEASURE,
    SIDEWAYS,
    fresh_world,
    login,
    phone_context,
    small_targets,
    small_texts,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Who visits a page: the first persona of this list the page lets in (staff first: the bars are for staff pages).
PREFERRED = ["street", "secretary", "bureau", "pair", "neighbor", "auditor", "secadmin", "sysadmin", "member"]


def _pages(world) -> dict[str, list[tuple[str, str]]]:
    by_persona: dict[str, list[tuple[str, str]]] = {}
    for name, case in sorted(MATRIX.items()):
        if case.method != "get":
            continue
        persona = next((p for p in PREFERRED if p in case.allowed_in), None)
        if persona is None:
            continue
        kwargs = case.inside(world) if case.inside else {}
        by_persona.setdefault(persona, []).append((name, reverse(name, kwargs=kwargs)))
    return by_persona


def test_every_page_fits_a_phone(live_server, browser, a11y):
    world = fresh_world()
    _officers(world)
    base = live_server.url
    problems: dict[str, list[str]] = {"target": [], "text": [], "sideways": [], "header": []}
    visited = 0
    for persona, pages in _pages(world).items():
        context = phone_context(browser)
        page = context.new_page()
        login(page, base, persona)
        for name, path in pages:
            answer = context.request.get(base + path, max_redirects=0)
            if answer.status != 200 or "text/html" not in answer.headers.get("content-type", ""):
                continue  # downloads and redirects
            if "<html" not in answer.text()[:400]:
                continue  # HTMX fragments: measured inside the page that loads them
            page.goto(base + path)
            page.wait_for_load_state("domcontentloaded")
            visited += 1
            where = f"{name} as {persona}"
            measured = page.evaluate(MEASURE)
            problems["target"] += [f"{where}: {t}" for t in small_targets(measured)]
            problems["text"] += [f"{where}: {t}" for t in small_texts(measured)]
            a11y.check(page)
            page.evaluate(DOUBLE_TEXT)
            wide = page.evaluate(SIDEWAYS)
            if wide["scroll"] > wide["width"]:
                problems["sideways"].append(f"{where}: {wide['scroll']} px wide at 200% text: {wide['culprits']}")
            header = page.locator("header.top").bounding_box()
            if header and header["height"] > 844 / 4:
                problems["header"].append(f"{where}: header {header['height']:.0f} px high at 200% text")
        context.close()
    print(f"UI sweep: {visited} pages")
    assert visited >= 30, visited
    report = [f"{kind}: {line}" for kind, lines in problems.items() for line in lines]
    assert not report, f"{len(report)} problems at 390 px:\n" + "\n".join(report)
