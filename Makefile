# `make run` and `make test` do all set-up on a fresh machine (see README.md).
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Evaluated when used, so a Python installed by scripts/system-deps.sh is found.
PYTHON = $(shell scripts/find-python.sh)

.PHONY: run test lint imports typecheck install clean bench bench-population bench-memory loadtest

install: $(STAMP)

$(STAMP): pyproject.toml scripts/system-deps.sh scripts/find-python.sh
	./scripts/system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -c 'import sys; assert sys.version_info[:2] in ((3, 11), (3, 12)), sys.version'
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

# The demo database: 50,000 synthetic people, made once (delete var/ to make it again).
# `run` publishes the shipped library into it every time: a no-op unless the library changed.
DEMO_DB := var/pathways.db
DEMO_URL := sqlite:///$(DEMO_DB)

run: install $(DEMO_DB)
	$(BIN)/pathways check
	$(BIN)/pathways list
	$(BIN)/pathways eligibility examples/superintendent_spnac.json --as-of 2010-04-01 --pathway senior_leadership
	$(BIN)/pathways publish --db $(DEMO_URL) --author make-run
	@$(BIN)/python -c 'from store import Store; s = Store("$(DEMO_URL)"); \
	  v = s.active_library(); print(f"demo database $(DEMO_DB): {s.count_people():,} people, " \
	  + (f"active library {v.digest[:12]}" if v else "no library published"))'
	$(BIN)/pathways render pip -o var/diagrams/pip.png
	$(BIN)/pathways render pip --record examples/inspector_pip.json --as-of 2024-06-01 -o var/diagrams/pip-W100234.png
	$(BIN)/pathways render overview -o var/diagrams/overview.png
	$(BIN)/pathways render overview --record examples/superintendent_spnac.json --as-of 2010-04-01 -o var/diagrams/overview-W204817.png
	@# The web front end: keep these lines last (the server runs in the foreground).
	@$(BIN)/pathways demo-users --db $(DEMO_URL)
	@echo "web: sign in at http://127.0.0.1:8000/ with a demo user above (passwords are printed once;"
	@echo "     add more with 'pathways users add'); API docs at http://127.0.0.1:8000/docs; Ctrl-C stops"
	$(BIN)/pathways serve --db $(DEMO_URL) --host 127.0.0.1 --port 8000

$(DEMO_DB): | $(STAMP)
	$(BIN)/pathways generate --people 50000 --seed 1 --db $(DEMO_URL) \
	  || { rm -f $@ $@-wal $@-shm; exit 1; }

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The layers of docs/architecture.md: no upward imports, no cycles between packages.
imports: install
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

test: lint imports typecheck
	$(BIN)/pytest

bench: install
	$(BIN)/python benchmarks/engine.py --people 50000 --workers 2

bench-memory: install
	$(BIN)/python benchmarks/memory.py --evaluations 200000

# 50 officers for 5 minutes against the demo database, on SQLite then on PostgreSQL
# (LOADTEST_SECONDS=60 for a short run).
LOADTEST_SECONDS ?= 300
loadtest: install $(DEMO_DB)
	$(BIN)/pathways publish --db $(DEMO_URL) --author make-loadtest
	$(BIN)/python benchmarks/loadtest.py --duration $(LOADTEST_SECONDS) --backend sqlite
	$(BIN)/python benchmarks/loadtest.py --duration $(LOADTEST_SECONDS) --backend postgresql

bench-population: install
	$(BIN)/python benchmarks/population.py --people 250000 --workers 2 --repeat 3
	$(BIN)/python benchmarks/population.py --people 50000 --workers 2 --repeat 3

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
