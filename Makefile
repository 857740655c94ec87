# Two commands on a fresh machine: `make run` and `make test`. Each bootstraps .venv itself.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test lint format bench clean

$(STAMP): pyproject.toml setup.py $(wildcard tests/vendor_plugin/pyproject.toml)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@if [ -f tests/vendor_plugin/pyproject.toml ]; then \
		$(BIN)/python -m pip install --quiet -e tests/vendor_plugin; fi
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/rapport run

lint: $(STAMP)
	$(BIN)/ruff check platform plugins tests bench
	$(BIN)/mypy platform $(wildcard plugins/*/)

test: $(STAMP) lint
	$(BIN)/python -m pytest -q

format: $(STAMP)
	$(BIN)/ruff format platform plugins tests bench
	$(BIN)/ruff check --fix platform plugins tests bench

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
