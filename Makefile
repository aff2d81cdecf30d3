# `make run`: set up and start the service on the embedded default (SQLite, sandbox SMS).
# `make test`: set up and run every test (PostgreSQL too when KOMEK_TEST_DATABASE_URL is set).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/komek: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

.PHONY: run test lint messages
run: $(BIN)/komek
	$(BIN)/komek serve

test: $(BIN)/komek
	$(BIN)/python -m pytest

# `make lint`: what CI checks before the tests: ruff, its formatter, mypy (settings in pyproject).
lint: $(BIN)/komek
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# `make messages`: refresh locales/messages.pot from the code (the same keywords the
# translation test extracts), then translate new ids in locales/{kk,ru}/LC_MESSAGES/*.po.
messages: $(BIN)/komek
	$(BIN)/pybabel extract --no-location --omit-header -k gettext:2 -k N_ -k T \
		-o locales/messages.pot casework gateway bot dialogs
