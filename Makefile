# Xinlian: `make run` (app + scheduler with demo data) and `make test` (whole suite) on a fresh machine
# with only the OS's Python. Everything installs into .venv from pinned requirements.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test e2e bench bench-pg load venv translations lint-bpmn lint db demo clean messages

$(VENV)/.stamp: requirements.txt requirements-dev.txt
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(VENV)/.stamp

# Compiled catalogs are build output, made from the committed .po files.
translations: venv
	$(BIN)/pybabel compile -d app/translations 2>/dev/null

db: venv translations
	mkdir -p instance
	$(BIN)/flask db upgrade

demo: db
	$(BIN)/flask demo

# The demo runs without two-factor login (XINLIAN_TWO_FACTOR=0; production refuses that setting).
run: demo
	XINLIAN_TWO_FACTOR=0 $(BIN)/flask serve --host $(HOST) --port $(PORT)

# bpmnlint (recommended rules) needs Node.js; .ci/run installs it where missing.
lint-bpmn:
	@if command -v npm >/dev/null 2>&1; then \
	  cd tools/bpmnlint && npm ci --no-audit --no-fund --silent >/dev/null 2>&1 && \
	  ./node_modules/.bin/bpmnlint ../../bpmn/*.bpmn && echo "bpmnlint: bpmn/*.bpmn pass the recommended rules (no errors; warnings, if any, are listed above)"; \
	else echo "WARNING: npm not found: bpmnlint NOT RUN (install Node.js to lint the BPMN files)"; fi

# ruff (imports sorted and used, banned imports) and the package graph's layer rules, then the suite.
lint: venv
	$(BIN)/ruff check app forms tests tools/import_graph.py
	$(BIN)/python tools/import_graph.py

test: venv translations lint-bpmn lint
	$(BIN)/python -m pytest -q

# Browser journeys (tests/e2e): Playwright for Python drives Debian's headless Chromium (/usr/bin/chromium;
# .ci/run installs it where missing) through the UI of `flask serve` on a fresh temporary database with
# the demo data. Failed journeys leave screenshots and HTML in tests/e2e/artifacts/.
$(VENV)/.stamp-e2e: $(VENV)/.stamp requirements-e2e.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-e2e.txt
	touch $@

e2e: $(VENV)/.stamp-e2e translations
	$(BIN)/python -m pytest -v --durations=10 tests/e2e

# Locust against a two-server cluster on PostgreSQL (bench/load.py; LOAD_DATABASE_URL, see README).
$(VENV)/.stamp-load: $(VENV)/.stamp requirements-load.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-load.txt
	touch $@

load: $(VENV)/.stamp-load translations
	$(BIN)/python bench/load.py

bench: venv translations
	$(BIN)/python bench/bench.py

# City scale on PostgreSQL (issue 18): seeds BENCH_DATABASE_URL itself (see bench/bench_pg.py and README).
bench-pg: venv translations
	$(BIN)/python bench/bench_pg.py

clean:
	rm -rf $(VENV) instance tools/bpmnlint/node_modules

# Maintenance: extract messages and merge them into the zh catalog (then fill new msgstr entries,
# e.g. with tools/fill_po.py; tests fail on an untranslated message).
messages: venv
	$(BIN)/pybabel extract -F babel.cfg -k _l -o /tmp/xinlian-messages.pot app forms
	$(BIN)/pybabel update --no-fuzzy-matching -w 120 -i /tmp/xinlian-messages.pot -d app/translations
