"""The header at phone size: one row, a menu that works without script, a language choice that waits."""

from __future__ import annotations

import re

import pytest

from tests.ui.measure import fresh_world, login, phone_context

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Contrast of the focus ring against the nearest painted background behind it (WCAG 2.4.13 asks 3:1).
FOCUS_RING = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const rgb = c => { const m = c.match(/[\\d.]+/g).map(Number); return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1}; };
  const lum = ({r, g, b}) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  let behind = {r: 255, g: 255, b: 255, a: 1};
  for (let p = el.parentElement; p; p = p.parentElement) {
    const c = rgb(getComputedStyle(p).backgroundColor);
    if (c.a > 0.5) { behind = c; break; }
  }
  const s = getComputedStyle(el);
  const ring = rgb(s.outlineColor);
  const [hi, lo] = [lum(ring), lum(behind)].sort((a, b) => b - a);
  const label = el.tagName.toLowerCase() + ' "' + (el.innerText || el.value || '').trim().slice(0, 16) + '"';
  return {what: label, style: s.outlineStyle, width: parseFloat(s.outlineWidth), ratio: (hi + 0.05) / (lo + 0.05)};
}"""


@pytest.fixture
def site(live_server, browser):
    world = fresh_world()
    context = phone_context(browser)
    page = context.new_page()
    yield world, page, live_server.url
    context.close()


def _one_row(page) -> tuple[float, float]:
    """(height of the header, spread of the tops of its visible items)."""
    return page.evaluate("""() => {
      const bar = document.querySelector('header.top .bar');
      const tops = [...bar.children].map(c => c.getBoundingClientRect()).filter(r => r.width > 0).map(r => r.top);
      return [document.querySelector('header.top').getBoundingClientRect().height, Math.max(...tops) - Math.min(...tops)];
    }""")


def test_header_is_one_row_at_390_px(site):
    _world, page, base = site
    page.goto(f"{base}/accounts/login/")
    height, spread = _one_row(page)
    assert height <= 64 and spread <= 4, (height, spread)
    login(page, base, "bureau")  # the longest menu of the staff
    height, spread = _one_row(page)
    assert height <= 64 and spread <= 4, (height, spread)
    assert not page.locator("header.top nav.wide").is_visible()
    menu = page.locator("details.menu > summary")
    assert menu.inner_text().startswith("菜单")
    menu.click()
    page.locator("details.menu nav a", has_text="人员").click()
    page.wait_for_url(re.compile(r".*/persons/$"))


def test_menu_works_without_script(live_server, browser):
    fresh_world()
    context = phone_context(browser, java_script_enabled=False)
    page = context.new_page()
    base = live_server.url
    login(page, base, "street")
    link = page.locator("details.menu nav a", has_text="党组织")
    assert not link.is_visible()
    page.locator("details.menu > summary").click()
    link.click()
    page.wait_for_url(re.compile(r".*/orgs/$"))
    context.close()


def test_language_changes_only_with_the_switch_button(site):
    _world, page, base = site
    login(page, base, "street")
    page.goto(f"{base}/persons/")
    assert page.locator("[onchange], [onclick], [oninput], [style]").count() == 0
    page.locator("details.menu > summary").click()
    choice = page.get_by_label("语言")
    choice.focus()
    choice.press("ArrowDown")
    choice.press("ArrowDown")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.url.endswith("/persons/")
    choice.select_option("en")
    page.get_by_role("button", name="切换").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.url.endswith("/persons/")


@pytest.mark.parametrize("width", [390, 1280])
def test_focus_ring_contrast_on_every_control(site, width):
    world, page, base = site
    page.set_viewport_size({"width": width, "height": 844})
    login(page, base, "street")
    problems, seen = [], set()
    for path in ["/", "/persons/", "/orgs/", f"/persons/{world.zhang.pk}/"]:
        page.goto(base + path)
        page.locator("details.menu > summary").click()  # open: its controls are tabbed through too
        page.locator("body").focus()
        for _ in range(80):
            page.keyboard.press("Tab")
            ring = page.evaluate(FOCUS_RING)
            if ring is None:
                break
            seen.add(ring["what"].split(" ")[0])
            if ring["style"] == "none" or ring["width"] < 2 or ring["ratio"] < 3:
                problems.append(f"{path} {ring}")
    assert {"a", "button", "summary", "select", "input"} <= seen, seen
    assert not problems, "\n".join(problems)


def test_tree_toggle_holds_no_link(site, a11y):
    world, page, base = site
    login(page, base, "street")
    page.goto(f"{base}/orgs/")
    assert page.locator(".tree summary").count() >= 1
    assert page.locator(".tree summary a, .tree summary button").count() == 0
    a11y.check(page)
    page.locator(".tree summary").first.click()
    page.locator(".tree details[open] ul a", has_text=world.branch.name).wait_for()
    a11y.check(page)
