# One line each: make demo | make test | make check | make bench | make soak
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Reinstall when pyproject.toml changes; otherwise reuse the environment (idempotent).
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: install demo test check bench soak schema clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

demo: install
	$(BIN)/spo demo

test: install
	$(BIN)/python -m pytest -q

check: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: install
	$(BIN)/python -m bench.overview

soak: install
	$(BIN)/python -m bench.soak

schema: install
	$(BIN)/spo export-schema > schema.graphql

clean:
	rm -rf $(VENV) var build *.egg-info
