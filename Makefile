# albacore developer commands. `make demo` runs a real optimization; `make test` runs every check.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

COMPAT_STAMP := $(VENV)/.installed-compat

.PHONY: demo test lint typecheck unit bench compat clean

$(PY):
	python3 -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) examples/quickstart.py

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks examples
	$(VENV)/bin/ruff format --check src tests benchmarks examples

typecheck: $(STAMP)
	$(VENV)/bin/mypy --strict src

unit: $(STAMP)
	$(PY) -m pytest -q

test: lint typecheck unit

$(COMPAT_STAMP): pyproject.toml $(STAMP)
	$(PY) -m pip install --quiet -e '.[compat]'
	touch $(COMPAT_STAMP)

# Optuna's own test suite against albacore: prints each group's share and fails when a counted group is short.
compat: $(COMPAT_STAMP)
	$(PY) tests/compat/run.py

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info
