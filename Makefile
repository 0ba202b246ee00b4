# ictanalysis — the two commands a new machine needs are `make report` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
LOCK   := requirements.lock
# Re-install whenever pyproject.toml or the lock file changes.
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml $(LOCK) | cksum | cut -d' ' -f1)
# The exact set tested together, for Python 3.11 on Linux, Windows and macOS, with hashes.
# `make lock` keeps every version already in $(LOCK) that pyproject.toml still allows;
# `make lock LOCK_FLAGS=--upgrade` moves to the newest releases the ranges allow
# (or LOCK_FLAGS='--upgrade-package pandas' for one package).
LOCK_FLAGS ?=
UV_REQUIREMENT := uv>=0.13,<0.14

.PHONY: help install lock report test bench lab data distclean node-tools
# The npm packages the HTML checks use (axe-core, the caniemail database), from tests/js/package-lock.json.
NODE_DIR   := tests/js
NODE_STAMP := $(NODE_DIR)/node_modules/.installed-$(shell cksum < $(NODE_DIR)/package-lock.json | cut -d' ' -f1)

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml $(LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name ictanalysis --display-name "Python (ictanalysis)" > /dev/null
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)  ## create .venv (or VENV=…) and install the locked, hash-checked dependencies and the project

lock:  ## regenerate requirements.lock from pyproject.toml's ranges (LOCK_FLAGS=--upgrade for newer releases)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet '$(UV_REQUIREMENT)'
	$(BIN)/uv pip compile pyproject.toml --all-extras --universal --python-version 3.11 --generate-hashes \
		--quiet $(LOCK_FLAGS) -o $(LOCK)

report: $(STAMP)  ## run the whole pipeline on data/raw and say where the output is
	$(BIN)/ictanalysis clean
	$(BIN)/ictanalysis validate
	$(BIN)/ictanalysis report
	$(BIN)/ictanalysis send --eml-only

$(NODE_STAMP): $(NODE_DIR)/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix $(NODE_DIR) --no-audit --no-fund --loglevel=error && rm -f $(NODE_DIR)/node_modules/.installed-* && touch $@; \
	else echo "npm not found: the accessibility and mail-client checks will be skipped"; fi

node-tools: $(NODE_STAMP)  ## install the npm packages the HTML checks use (axe-core, caniemail) into tests/js

test: $(STAMP) $(NODE_STAMP)  ## run the linter and the test suite
	$(BIN)/ruff check ictanalysis benchmarks tests tools data/raw/generate.py
	$(BIN)/python -m pytest -n 2 --dist loadgroup

bench: $(STAMP)  ## run every benchmark and print one table
	$(BIN)/python -m benchmarks

lab: $(STAMP)  ## open JupyterLab on the report and explore notebooks
	$(BIN)/jupyter lab ictanalysis/notebooks/

data: $(STAMP)  ## regenerate the bundled sample workbooks in data/raw/
	$(BIN)/python data/raw/generate.py

distclean:  ## remove the environment and every generated output
	rm -rf $(VENV) $(NODE_DIR)/node_modules data/processed/indicators.* reports/*/
