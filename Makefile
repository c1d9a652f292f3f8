# Kefu: `make run` to try it, `make test` for the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
KEFU := $(BIN)/kefu

.PHONY: install run demo test lint bench messages clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

install: $(BIN)/.installed

run: install
	$(KEFU) migrate --noinput
	$(KEFU) load_demo --if-empty
	$(KEFU) serve

demo: install
	$(KEFU) migrate --noinput
	$(KEFU) load_demo --if-empty

lint: install
	$(BIN)/ruff check src bench
	$(BIN)/ruff format --check src bench

test: lint
	$(KEFU) makemigrations --check --dry-run
	$(BIN)/pytest -n 2

bench: install
	$(BIN)/python -m bench.run

# Strings go to the catalogue of the app they are in (src/kefu/<app>/locale/,
# create that folder for a new app); fill in the msgstr, then run it again.
messages: install
	cd src/kefu && ../../$(KEFU) makemessages -l zh_Hans --no-obsolete -i tests -i conftest.py -i vendor \
		&& ../../$(KEFU) compilemessages -l zh_Hans

clean:
	rm -rf $(VENV) var
