# One line each: make demo | make test | make check | make bench | make soak
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Reinstall when pyproject.toml changes; otherwise reuse the environment (idempotent).
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

# The times that break calendars (Copenhagen wall time): summer, the repeated hour of the October
# DST change, ISO week 53, just after a new year, a leap day, just after the March DST change.
# ``make test-dates`` runs the whole suite at each.
DATES ?= 2026-07-15T12:00 2026-10-25T02:30 2026-12-28T12:00 2027-01-01T00:30 \
	2028-02-29T12:00 2027-03-28T03:30

.PHONY: install demo test test-dates check bench soak schema clean

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

test-dates: install
	@for day in $(DATES); do \
		echo "== SPO_TEST_TODAY=$$day"; \
		SPO_TEST_TODAY=$$day $(BIN)/python -m pytest -q -p no:cacheprovider || exit 1; \
	done

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
