"""What the UI tests measure on a page, and how they log in.

200% text: the tests double the root font size (`html { font-size }`) of a 390 px wide page, which is what a
phone's "larger text" setting does to a page sized in rem/em as ours is. Page zoom at 200% would instead make
the layout viewport 195 px wide, below the 320 px that WCAG's reflow criterion asks for, so it is not used.
"""

from __future__ import annotations

import re

from tests.factories import PASSWORD

PHONE = {"width": 390, "height": 844}
MIN_TARGET = 44
MIN_TEXT = 16

# The smallest interactive target and the smallest visible text, with where they are.
MEASURE = """() => {
  const seen = el => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right <= 0 || r.bottom <= 0) return null;
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || el.closest('[hidden],[aria-hidden=true]')) return null;
    if (el.checkVisibility && !el.checkVisibility({contentVisibilityAuto: true, visibilityProperty: true})) return null;
    return r;
  };
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
    ' "' + (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 20) + '"';
  const targets = [];
  const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])';
  for (const el of document.querySelectorAll(sel)) {
    if (el.classList.contains('skip')) continue;  // the skip link is off screen until focused
    // A checkbox or radio is hit through its label: the label is the target.
    const box = (el.type === 'checkbox' || el.type === 'radio') && el.closest('label') || el;
    const r = seen(box);
    if (!r) continue;
    targets.push({what: name(el), w: Math.round(r.width * 10) / 10, h: Math.round(r.height * 10) / 10});
  }
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.data.trim()) continue;
    const el = n.parentElement;
    if (!el || el.closest('.skip, script, style, option, noscript')) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    const r = range.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || !seen(el)) continue;
    texts.push({what: name(el), px: parseFloat(getComputedStyle(el).fontSize)});
  }
  return {targets, texts};
}"""

DOUBLE_TEXT = """() => {
  const root = document.documentElement;
  root.style.fontSize = (parseFloat(getComputedStyle(root).fontSize) * 2) + 'px';
  return document.body.offsetHeight;
}"""

# The page's width against the window's, and the outermost elements that stick out on the right.
SIDEWAYS = """() => {
  const width = window.innerWidth;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > width + 1 && r.width > 0 && !(el.parentElement && el.parentElement.getBoundingClientRect().right > width + 1)) {
      out.push(el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') + ' ' + Math.round(r.right) + 'px');
    }
  }
  return {scroll: document.scrollingElement.scrollWidth, width, culprits: out.slice(0, 3)};
}"""


def small_targets(measured: dict) -> list[str]:
    return [f"{t['what']} {t['w']}×{t['h']}" for t in measured["targets"] if min(t["w"], t["h"]) < MIN_TARGET - 0.5]


def small_texts(measured: dict) -> list[str]:
    return sorted({f"{t['what']} {t['px']}px" for t in measured["texts"] if t["px"] < MIN_TEXT - 0.01})


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label(re.compile("用户名|User name|Username")).fill(username)
    page.get_by_label(re.compile("密码|Password")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("登录|Log in")).click()
    page.wait_for_url(re.compile(r".*/($|accounts/(access-log|users)/)"))


def phone_context(browser, **kw):
    context = browser.new_context(locale="zh-CN", viewport=PHONE, **kw)
    context.set_default_timeout(10_000)
    return context


def fresh_world():
    """The named world, with the default meeting types and rules (a transactional test flushed the migration's)."""
    from jinqiu.orglife.defaults import install
    from jinqiu.orglife.models import FrequencyRule, MeetingType
    from tests.factories import build_world

    install(MeetingType, FrequencyRule)
    return build_world()
