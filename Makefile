# pyebpf: the two quick-start commands are `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint format bench fixtures corpus docs clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

## demo: assemble, verify offline, and (where the kernel allows) load and test-run a program
demo: $(STAMP)
	$(PY) examples/demo.py

## test: the whole test suite
test: $(STAMP)
	$(PY) -m pytest -q

## lint: ruff and mypy, as CI runs them
lint: $(STAMP)
	$(VENV)/bin/ruff check pyebpf tests benchmarks examples tools
	$(VENV)/bin/ruff format --check pyebpf tests benchmarks examples tools
	$(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff format pyebpf tests benchmarks examples tools
	$(VENV)/bin/ruff check --fix pyebpf tests benchmarks examples tools

## bench: every benchmark, each printing our figure beside the reference tool's
bench: $(STAMP)
	$(PY) benchmarks/run_all.py

## docs: the documentation site (mkdocs + mkdocstrings), built strictly as CI does
docs: $(STAMP)
	$(PY) -m pip install -q -e '.[docs]'
	$(PY) -m mkdocs build --strict

## fixtures: rebuild the clang-built test objects (needs clang-22)
fixtures:
	$(MAKE) -C tests/fixtures
	$(MAKE) -C tests/verifier/objects

## corpus: re-record the kernel's answers for the verifier corpus and objects (root, bpf())
corpus: $(STAMP)
	$(PY) tools/record_verifier_corpus.py
	$(PY) tools/record_verifier_corpus.py objects

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
