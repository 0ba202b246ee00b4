# ictanalysis — the two commands a new machine needs are `make report` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: help install report test bench lab data distclean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name ictanalysis --display-name "Python (ictanalysis)" > /dev/null
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)  ## create .venv and install the project with its pinned dependencies

report: $(STAMP)  ## run the whole pipeline on data/raw and say where the output is
	$(BIN)/ictanalysis clean
	$(BIN)/ictanalysis validate
	$(BIN)/ictanalysis report
	$(BIN)/ictanalysis send --eml-only

test: $(STAMP)  ## run the linter and the test suite
	$(BIN)/ruff check ictanalysis benchmarks tests tools data/raw/generate.py
	$(BIN)/python -m pytest -n 2 --dist loadgroup

bench: $(STAMP)  ## run every benchmark and print one table
	$(BIN)/python -m benchmarks

lab: $(STAMP)  ## open JupyterLab on the report and explore notebooks
	$(BIN)/jupyter lab ictanalysis/notebooks/

data: $(STAMP)  ## regenerate the bundled sample workbooks in data/raw/
	$(BIN)/python data/raw/generate.py

distclean:  ## remove the environment and every generated output
	rm -rf $(VENV) data/processed/indicators.* reports/*/
