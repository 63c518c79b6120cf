# `make run` and `make test` do all set-up on a fresh machine (see README.md).
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Evaluated when used, so a Python installed by scripts/system-deps.sh is found.
# `make install PYTHON=python3.13` uses another (3.13+ builds durable-rules with its fix).
PYTHON = $(shell scripts/find-python.sh)
# Every dependency (with the postgresql and dev extras), pinned with hashes: what CI tested.
LOCK := requirements.lock
# The uv that `make upgrade` resolves the lock with (installing needs only pip).
UV_VERSION := 0.13.9
PIP := $(BIN)/pip --disable-pip-version-check

.PHONY: run test test-fast test-explore lint imports typecheck install lock upgrade clean bench bench-population bench-memory bench-compare loadtest

install: $(STAMP)

$(STAMP): pyproject.toml $(LOCK) scripts/system-deps.sh scripts/find-python.sh scripts/durable-rules.sh
	./scripts/system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -c 'import sys; assert sys.version_info[:2] >= (3, 11), sys.version'
	./scripts/durable-rules.sh $(BIN)/python
	$(PIP) install -q --require-hashes -r $(LOCK)
	$(PIP) install -q --no-deps -e .
	$(PIP) check
	touch $(STAMP)

# The lock for every platform and Python 3.11+. `make lock` after editing pyproject.toml
# (keeps the other pins); `make upgrade` moves every pin to its newest allowed version.
# Then `make test` and commit requirements.lock.
LOCK_WITH_UV = test -x $(BIN)/python || $(PYTHON) -m venv $(VENV); \
	$(PIP) install -q uv==$(UV_VERSION) && \
	$(BIN)/uv pip compile pyproject.toml --all-extras --universal --python-version 3.11 \
	  --generate-hashes --quiet -o $(LOCK)

lock:
	$(LOCK_WITH_UV)

upgrade:
	$(LOCK_WITH_UV) --upgrade
	@echo "$(LOCK) refreshed: run 'make test', then commit it"

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

# The edit-test loop: every test not marked slow (a browser, PostgreSQL, schemathesis,
# heavy hypothesis and population runs, killed processes), about a minute; no lint or mypy.
# `make test` runs everything.
test-fast: install
	$(BIN)/pytest -m "not slow" -q

# The property tests with fresh random draws and 10x the examples (the suite draws the
# same ones every run): about half an hour. Run before a release and after engine changes.
test-explore: install
	PATHWAYS_HYPOTHESIS=explore PATHWAYS_PROPERTY_EXAMPLES=1000 $(BIN)/pytest -q \
		tests/test_properties.py tests/test_popcode.py tests/test_overview.py \
		tests/test_eligible_from.py tests/test_requirement_kinds.py

bench: install
	$(BIN)/python benchmarks/engine.py --people 50000 --workers 2

# Per person, side by side: the floor, the population evaluator, GoRules ZEN, the batch
# evaluator, durable-rules (zen-engine is the 'bench' extra, pinned in the lock).
bench-compare: install
	$(BIN)/python benchmarks/compare.py --people 2000 --rounds 7 --sample 300

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
