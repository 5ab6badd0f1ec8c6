# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SCENARIO ?= scenarios/key-city-2020.yaml
PATHS ?= 100000
WORKERS ?= 2
RESULTS ?= results/$(basename $(notdir $(SCENARIO)))

.PHONY: run test bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# One stamp per install flavour; pyproject.toml changes reinstall.
$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	$(BIN)/ipsim run $(SCENARIO) --paths $(PATHS) --workers $(WORKERS)
	$(BIN)/ipsim compare $(SCENARIO) --paths $(PATHS) --workers $(WORKERS)
	$(BIN)/ipsim report $(RESULTS)
	$(BIN)/ipsim report $(RESULTS) --lang zh
	@echo "open $(RESULTS)/report.html first (Chinese: $(RESULTS)/report.zh.html)"

# Two test processes (the machines have 2 cores); a file's tests stay in one process, so
# the engine-agreement tests share their runs. TEST_WORKERS=0 runs in this process.
TEST_WORKERS ?= 2
test: $(VENV)/.dev-installed
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

bench: $(VENV)/.dev-installed
	$(BIN)/python bench/run_bench.py
	$(BIN)/python bench/floor_bench.py
	$(BIN)/python bench/compare_bench.py
	$(BIN)/python bench/sweep_bench.py
	$(BIN)/python bench/sensitivity_bench.py
	$(BIN)/python bench/drivers_bench.py
	$(BIN)/python bench/optimise_bench.py
	$(BIN)/python bench/coverage_bench.py --trend

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check ipsim tests bench

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
