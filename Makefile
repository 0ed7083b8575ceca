# Two entry points for a new user: `make report` and `make test`. Both build the environment first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: report test check bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

report: $(STAMP)
	$(BIN)/vacuity report --out report --scale small

test: $(STAMP)
	HYPOTHESIS_PROFILE=ci $(BIN)/python -m pytest

check: $(STAMP)
	$(BIN)/vacuity check --scale small

bench: $(STAMP)
	$(BIN)/python benchmarks/expressivity.py
	$(BIN)/python benchmarks/classical_bounds.py
	$(BIN)/python benchmarks/nk_linear.py
	$(BIN)/python benchmarks/rademacher.py
	$(BIN)/python benchmarks/randomization.py

clean:
	rm -rf $(VENV) report .pytest_cache .hypothesis
