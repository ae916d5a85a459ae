# 金秋: `make run` serves the demo district, `make test` runs everything that must pass.
PYTHON_VERSION ?= 3.12
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint messages bench screenshots clean

$(STAMP): pyproject.toml
	@command -v pyenv >/dev/null 2>&1 && PYBIN="$$(pyenv root)/versions/$$(pyenv versions --bare | grep -E '^$(PYTHON_VERSION)(\.|$$)' | tail -1)/bin/python" || PYBIN=python$(PYTHON_VERSION); \
	  [ -x "$$PYBIN" ] || PYBIN=python$(PYTHON_VERSION); \
	  $$PYBIN -c 'import sys; assert sys.version_info[:2] == (3, 12), sys.version' && \
	  $$PYBIN -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/jinqiu serve --host 127.0.0.1 --port 8000

# Tests run on both cores (pytest-xdist); PYTEST_ARGS="-n 0 tests/people" runs a part on one.
PYTEST_ARGS ?= -n 2
test: $(STAMP)
	bin/test-deps
	$(VENV)/bin/ruff check src tests bench
	$(PY) manage.py makemigrations --check --dry-run -v 0
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench

# make messages [TRANSLATIONS="a.json b.json"]: refresh the catalogues, fill zh_Hans from the JSON files
# ({msgid: msgstr}), derive 繁體 and compile. One run at a time (flock): the catalogues are shared files.
messages: $(STAMP)
	@flock $(VENV)/.messages.lock sh -c '\
	  cd src/jinqiu && ../../$(PY) ../../manage.py makemessages -l zh_Hans -l zh_Hant -l en --no-obsolete --no-location -v 0 && cd ../.. && \
	  { [ -z "$(TRANSLATIONS)" ] || $(PY) bin/fill_zh_hans.py $(TRANSLATIONS); } ; \
	  $(PY) bin/make_zh_hant.py && cd src/jinqiu && ../../$(PY) ../../manage.py compilemessages -v 0'

# Every script in bench/ prints its figures as `BENCH <name> <value> <unit>` lines.
bench: $(STAMP)
	@status=0; for script in bench/*.py; do echo "== $$script"; $(PY) $$script || status=1; done; exit $$status

screenshots: $(STAMP)
	$(PY) docs/screenshots.py

clean:
	rm -rf $(VENV) data
