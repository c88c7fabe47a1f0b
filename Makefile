# Two entry points for a newcomer (see README.md): `make new` and `make test`.
# Everything else here is plumbing they share.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEST ?= ../my-platform
# pytest-xdist: one worker per core; each module combination renders on one worker.
PYTEST_ARGS ?= -n auto --dist loadgroup

.PHONY: new test test-fast lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-cli: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml tools/infra_tools.py $(wildcard tools/crd-validate/*) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python tools/infra_tools.py >/dev/null
	touch $@ $(VENV)/.installed-cli

## new: generate a platform repo with the default answers into $(DEST)
new: $(VENV)/.installed-cli
	$(BIN)/goldenpath new $(DEST) --defaults

## test: the whole suite, slow end-to-end checks included (what CI runs)
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## test-fast: the quick set a developer runs while editing
test-fast: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS) -m "not slow"

## lint: the template repo's own linters (the pre-commit hooks)
lint: $(VENV)/.installed-test
	$(BIN)/pre-commit run --all-files

## bench: time new/update against plain copier, and a generated repo's setup, tests and
## service latency; see docs/benchmarks.md
bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/bench_template.py
	$(BIN)/python benchmarks/bench_generated_repo.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
