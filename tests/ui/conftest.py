"""Browser checks of the staff pages at phone size: the fixtures of tests/browser.py, as tests/e2e uses."""
