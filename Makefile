# The two commands of the README:
#   make up     start the gateway embedded (SQLite, folder broker, worker, sandbox, demo data)
#   make test   lint, type-check and run the whole suite on SQLite, then PostgreSQL + Redis,
#               then the broker tests on RabbitMQ (starting the local services if they are down)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export GW_ARTEFACTS_DIR ?= $(CURDIR)/var/artefacts

.PHONY: up test test-sqlite test-postgresql test-rabbitmq lint artefacts demo bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

artefacts: $(STAMP)
	$(BIN)/gateway artefacts install --to $(GW_ARTEFACTS_DIR)

up: $(STAMP)
	$(BIN)/gateway up

demo: $(STAMP)
	$(BIN)/gateway demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy gateway schemas adapters reporting tendering invoicing portal sandbox
	$(BIN)/lint-imports

test-sqlite: artefacts
	GW_TEST_DATABASE=sqlite $(BIN)/pytest -q

# The second pass repeats only the tests that touch the database (GW_TEST_DB_ONLY).
test-postgresql: artefacts
	GW_TEST_DATABASE=postgresql GW_TEST_BROKER=redis GW_TEST_DB_ONLY=1 $(BIN)/pytest -q

test-rabbitmq: artefacts
	GW_TEST_DATABASE=postgresql GW_TEST_BROKER=rabbitmq $(BIN)/pytest -q -m broker

test: lint test-sqlite test-postgresql test-rabbitmq

bench: artefacts
	$(BIN)/python bench/pipeline.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
