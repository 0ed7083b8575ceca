# Two entry points for a new user: `make report` and `make test`. Both build the environment first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: report test check bench readme clean

$(STAMP): pyproject.toml setup.py constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

report: $(STAMP)
	$(BIN)/vacuity report --out report --scale small

# lint and import order first (seconds), then the suite with its layer and declaration meta-tests
test: $(STAMP)
	$(BIN)/ruff check .
	HYPOTHESIS_PROFILE=ci $(BIN)/python -m pytest

check: $(STAMP)
	$(BIN)/vacuity check --scale small

# the benchmark scripts are the ones the claims declare
bench: $(STAMP)
	$(BIN)/python -m vacuity.proofs_checked.core.bench

# regenerate the README's claim table from the claim declarations
readme: $(STAMP)
	$(BIN)/python -m vacuity.proofs_checked.core.readme

clean:
	rm -rf $(VENV) report .pytest_cache .hypothesis
