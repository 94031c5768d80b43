# Two commands for users: `make lab` opens the course, `make test` runs every test.
# Each creates .venv on first use and installs what it needs (re-installs when pyproject.toml changes).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: lab notebook instructor site test release selfcheck grade bench fixtures clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Docker containers and many cloud machines run as root, where Jupyter refuses to start without --allow-root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
# The learner's server: jupyter_config/learner/ turns nbgrader's extensions off (its README says why).
LEARNER_ENV = JUPYTER_CONFIG_PATH="$(CURDIR)/jupyter_config/learner$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}"
JUPYTER_ARGS ?=

lab: $(VENV)/.installed          ## open the course in JupyterLab
	$(LEARNER_ENV) $(BIN)/jupyter lab --notebook-dir=course $(ALLOW_ROOT) $(JUPYTER_ARGS)

notebook: $(VENV)/.installed     ## the same in Jupyter Notebook 7
	$(LEARNER_ENV) $(BIN)/jupyter notebook --notebook-dir=course $(ALLOW_ROOT) $(JUPYTER_ARGS)

# Run from autograder/ so nbgrader reads autograder/nbgrader_config.py; its course root autograder/workspace/ (the
# gradebook) must exist and lie under the server's root; nbgrader runs `alembic` from PATH.
instructor: $(VENV)/.installed   ## JupyterLab with nbgrader's instructor tools (Nbgrader menu: formgrader) on the repository
	mkdir -p autograder/workspace
	cd autograder && PATH="$(CURDIR)/$(BIN):$$PATH" jupyter lab --notebook-dir=.. $(ALLOW_ROOT) $(JUPYTER_ARGS)

# The rendered edition: MathJax comes from PyPI (django-static-mathjax, a dependency), so formulas render with no CDN.
SITE_DIR ?= build/site
site: $(VENV)/.installed         ## every course notebook run and rendered as static HTML: build/site/index.html
	$(BIN)/python scripts/build_site.py --out "$(SITE_DIR)"

test: $(VENV)/.installed-test    ## the whole test suite
	$(BIN)/python -m pytest $(PYTEST_ARGS)

release: $(VENV)/.installed      ## regenerate course/ from solutions/ (nbgrader generate_assignment --force)
	$(BIN)/python autograder/optimlab_grader.py release

selfcheck: $(VENV)/.installed    ## grade your own notebook, hidden tests included: make selfcheck NB=course/<id>/<id>.ipynb
	@test -n "$(NB)" || { echo "usage: make selfcheck NB=course/<assignment>/<notebook>.ipynb"; exit 2; }
	$(BIN)/python autograder/optimlab_grader.py selfcheck "$(NB)"

grade: $(VENV)/.installed        ## autograde submissions into autograder/workspace/: make grade SUBMISSIONS=path
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=<folder of <student>/<assignment>/<notebook>.ipynb or of LMS zips>"; exit 2; }
	$(BIN)/python autograder/optimlab_grader.py grade "$(SUBMISSIONS)"

bench: $(VENV)/.installed        ## print the speed figures
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

fixtures:                        ## re-record the torch.optim parity fixtures (torch in its own venv, never in .venv)
	test -x .torchvenv/bin/python || { $(PYTHON) -m venv .torchvenv && .torchvenv/bin/pip install --quiet torch==2.13.0 numpy; }
	.torchvenv/bin/python scripts/record_torch_fixtures.py

clean:
	rm -rf $(VENV) autograder/workspace
