# Two commands: `make run` (set up and serve with demo data) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
# The field app (frontend/) is built when npm is on the PATH; without it the API is served alone.
NPM := $(shell command -v npm 2>/dev/null)
WEB := frontend/dist/index.html
WEB_SOURCES := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
	$(wildcard frontend/index.html frontend/*.ts frontend/*.json frontend/scripts/*)

.PHONY: run test bench lint format openapi install migrate demo clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) -m api.cli migrate

demo: migrate
	$(PY) -m api.cli seed-demo

$(WEB): $(WEB_SOURCES) frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund && npm run build

run: demo $(if $(NPM),$(WEB))
	@$(if $(NPM),true,echo "npm not found: serving the API only (install Node 20 to build the field app)")
	$(PY) -m api.cli serve

test: install $(if $(NPM),$(WEB))
	$(BIN)/pytest
	$(if $(NPM),cd frontend && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npx vitest run,@echo "npm not found: the field app's tests (vitest) are skipped")

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

openapi: install
	$(PY) -m api.cli export-openapi

bench: install
	$(PY) -m bench

# A longer schemathesis run than `make test`'s: FUZZ_EXAMPLES per operation and caller, a new
# FUZZ_SEED each run (printed on failure; set it to replay one).
.PHONY: fuzz
fuzz: install
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-100} FUZZ_SEED=$${FUZZ_SEED:-$$(date +%s)} $(BIN)/pytest tests/test_fuzz.py

clean:
	rm -rf $(VENV) data
