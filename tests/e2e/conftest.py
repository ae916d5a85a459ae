"""Browser tests: Playwright driving Debian's Chromium, axe on every page visited.

The fixtures (`browser`, `a11y`) and the serial live server live in tests/browser.py, registered in
tests/conftest.py for tests/e2e and tests/ui alike."""
