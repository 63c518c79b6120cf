# `make run` and `make test` do all set-up on a fresh machine (see README.md).
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Evaluated when used, so a Python installed by scripts/system-deps.sh is found.
PYTHON = $(shell scripts/find-python.sh)

.PHONY: run test lint typecheck install clean bench

install: $(STAMP)

$(STAMP): pyproject.toml scripts/system-deps.sh scripts/find-python.sh
	./scripts/system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -c 'import sys; assert sys.version_info[:2] in ((3, 11), (3, 12)), sys.version'
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

run: install
	$(BIN)/pathways check
	$(BIN)/pathways list
	$(BIN)/pathways eligibility examples/superintendent_spnac.json --as-of 2010-04-01 --pathway senior_leadership

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest

bench: install
	$(BIN)/python benchmarks/engine.py --people 50000 --workers 2

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
