# Two commands for users: `make lab` opens the course, `make test` runs every test.
# Each creates .venv on first use and installs what it needs (re-installs when pyproject.toml changes).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: lab notebook test release selfcheck grade bench fixtures clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

lab: $(VENV)/.installed          ## open the course in JupyterLab
	$(BIN)/jupyter lab --notebook-dir=course

notebook: $(VENV)/.installed     ## the same in Jupyter Notebook 7
	$(BIN)/jupyter notebook --notebook-dir=course

test: $(VENV)/.installed-test    ## the whole test suite
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed        ## print the speed figures
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) autograder/workspace
