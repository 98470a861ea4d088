# One line each: make demo | make test | make check | make bench | make soak | make lock | make web
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The locks (pinned, hashed): dev.txt is runtime + dev + build, for make and CI; runtime.txt is
# the image's subset of it. Both are written by ``make lock``, never by hand.
LOCK := requirements/dev.txt
RUNTIME_LOCK := requirements/runtime.txt
# Reinstall when the lock or pyproject.toml changes; otherwise reuse the environment (idempotent).
STAMP := $(VENV)/.installed-$(shell cat $(LOCK) pyproject.toml | cksum | cut -d' ' -f1)
# One resolution for the one target we run: CPython 3.11 on Linux (dev machines, CI, the image).
# An existing pin is kept unless pyproject.toml rules it out; ``make upgrade`` lifts them all.
LOCKFLAGS := --quiet --generate-hashes --python-version 3.11 --python-platform linux \
	--custom-compile-command "make lock"
# The build backend is locked too: the project is installed without build isolation, so nothing
# comes from the index unhashed.
BUILD_REQUIRES := $(BIN)/python -c 'import tomllib; \
	print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")'
# graphql-http's audit (tests/conformance/, run by node): reinstalled when its lock changes.
AUDIT := tests/conformance
AUDIT_STAMP := $(AUDIT)/node_modules/.installed-$(shell cksum $(AUDIT)/package-lock.json | cut -d' ' -f1)
# @apollo/composition for the subgraph's composition test (tests/federation/, run by node).
FEDERATION := tests/federation
FEDERATION_STAMP := $(FEDERATION)/node_modules/.installed-$(shell cksum $(FEDERATION)/package-lock.json | cut -d' ' -f1)

# The times that break calendars (Copenhagen wall time): summer, the repeated hour of the October
# DST change, ISO week 53, just after a new year, a leap day, just after the March DST change.
# ``make test-dates`` runs the whole suite at each.
DATES ?= 2026-07-15T12:00 2026-10-25T02:30 2026-12-28T12:00 2027-01-01T00:30 \
	2028-02-29T12:00 2027-03-28T03:30

# The reference page (web/): Node.js 20 and npm from the machine, packages from the registry only
# (no browser download: the e2e tests use Debian's chromium). npm ci when the lock file changes;
# a build when any of the page's sources (or the schema it is typed from) change.
NPM := cd web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm
WEB_DEPS := web/node_modules/.installed-$(shell cksum web/package-lock.json | cut -d' ' -f1)
WEB_SOURCES := $(shell find web/src web/index.html web/graphiql.html web/vite.config.ts \
	web/tsconfig.json web/codegen.ts web/scripts web/package-lock.json schema.graphql -type f | sort)
WEB_STAMP := web/dist/.built-$(shell cat $(WEB_SOURCES) | cksum | cut -d' ' -f1)

.PHONY: install lock upgrade demo test test-dates check bench soak schema clean web web-test

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(STAMP): $(LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@$(BIN)/python -m pip check || { \
		echo "$(LOCK) lacks what pyproject.toml asks for: run make lock" >&2; exit 1; }
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

# npm ci installs exactly the lock, from the registry; without npm the audit test is skipped.
$(AUDIT_STAMP): $(AUDIT)/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix $(AUDIT) --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the graphql-http audit test will be skipped"; fi

$(FEDERATION_STAMP): $(FEDERATION)/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix $(FEDERATION) --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the federation composition test will be skipped"; fi

# uv only, from the lock with its hash, so a lock that no longer fits pyproject.toml (a merged
# branch added a dependency) can still be remade.
$(BIN)/uv: | $(BIN)/python
	awk '/^uv==/ { p = 1 } p && /^ *#/ { exit } p' $(LOCK) > $(VENV)/uv.txt
	$(BIN)/python -m pip install --quiet --require-hashes -r $(VENV)/uv.txt

lock: | $(BIN)/uv
	$(BUILD_REQUIRES) | $(BIN)/uv pip compile $(LOCKFLAGS) pyproject.toml - --extra dev -o $(LOCK)
	$(BUILD_REQUIRES) | $(BIN)/uv pip compile $(LOCKFLAGS) pyproject.toml - -c $(LOCK) \
		-o $(RUNTIME_LOCK)

upgrade:
	$(MAKE) lock LOCKFLAGS='$(LOCKFLAGS) --upgrade'

$(WEB_DEPS): web/package-lock.json
	$(NPM) ci --no-audit --no-fund --loglevel=error
	rm -f web/node_modules/.installed-*
	touch $@

$(WEB_STAMP): $(WEB_DEPS) $(WEB_SOURCES)
	$(NPM) run build
	touch $@

web: $(WEB_STAMP)

demo: install web
	$(BIN)/spo demo

# pytest, then the page: its generated types against the schema, Vitest, Playwright end to end.
test: install web $(AUDIT_STAMP) $(FEDERATION_STAMP)
	$(BIN)/python -m pytest -q
	$(MAKE) web-test

web-test: install web
	$(NPM) run codegen:check
	$(NPM) test
	$(NPM) run e2e

test-dates: install web $(AUDIT_STAMP) $(FEDERATION_STAMP)
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
	$(BIN)/spo export-schema --federation > schema.federation.graphql

clean:
	rm -rf $(VENV) var build *.egg-info $(AUDIT)/node_modules $(FEDERATION)/node_modules web/dist web/node_modules web/test-results
