# albacore developer commands. `make demo` runs a real optimization; `make test` runs every check.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

COMPAT_STAMP := $(VENV)/.installed-compat

.PHONY: demo test lint typecheck unit bench compat docs dist clean

$(PY):
	python3 -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) examples/quickstart.py

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks examples docs
	$(VENV)/bin/ruff format --check src tests benchmarks examples docs

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

# The documentation site into build/docs/; any warning (a broken link, a bad docstring reference) fails it.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet --site-dir build/docs

# The wheel and sdist into dist/ (the wheel is built from the sdist), checked by twine.
dist: $(STAMP)
	rm -rf dist
	$(PY) -m build --outdir dist .
	$(VENV)/bin/twine check --strict dist/*

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) build dist *.egg-info
