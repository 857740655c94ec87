# Two commands on a fresh machine: `make run` and `make test`. Each bootstraps .venv itself.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# The example vendor plugin (tests/vendor_plugin) is installed for the test suite only.
TEST_PLUGINS := $(VENV)/.test-plugins-stamp

.PHONY: run test lint format bench clean

$(STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(TEST_PLUGINS): $(STAMP) tests/vendor_plugin/pyproject.toml
	$(BIN)/python -m pip install --quiet -e tests/vendor_plugin
	touch $(TEST_PLUGINS)

run: $(STAMP)
	@if [ -f $(TEST_PLUGINS) ]; then \
		$(BIN)/python -m pip uninstall --quiet --yes rapport-stamps; rm -f $(TEST_PLUGINS); fi
	$(BIN)/rapport run

lint: $(STAMP)
	$(BIN)/ruff check platform plugins tests bench
	$(BIN)/mypy platform $(wildcard plugins/*/)
	$(BIN)/lint-imports

test: $(TEST_PLUGINS) lint
	$(BIN)/python -m pytest -q

format: $(STAMP)
	$(BIN)/ruff format platform plugins tests bench
	$(BIN)/ruff check --fix platform plugins tests bench

bench: $(TEST_PLUGINS)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
