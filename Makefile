# One line each: make demo | make test | make check | make bench | make soak
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Reinstall when pyproject.toml changes; otherwise reuse the environment (idempotent).
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
# graphql-http's audit (tests/conformance/, run by node): reinstalled when its lock changes.
AUDIT := tests/conformance
AUDIT_STAMP := $(AUDIT)/node_modules/.installed-$(shell cksum $(AUDIT)/package-lock.json | cut -d' ' -f1)

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

# npm ci installs exactly the lock, from the registry; without npm the audit test is skipped.
$(AUDIT_STAMP): $(AUDIT)/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix $(AUDIT) --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the graphql-http audit test will be skipped"; fi

demo: install
	$(BIN)/spo demo

test: install $(AUDIT_STAMP)
	$(BIN)/python -m pytest -q

test-dates: install $(AUDIT_STAMP)
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
	rm -rf $(VENV) var build *.egg-info $(AUDIT)/node_modules
