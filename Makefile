# Two commands for a newcomer:  `make demo` (set up and train)  and  `make test` (set up and test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test setup bench bench-quick clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

setup: $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[demo,dev,torch]'

demo: setup
	$(BIN)/chainrule train

test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python -m benchmarks

bench-quick: setup
	$(BIN)/python -m benchmarks --quick

clean:
	rm -rf $(VENV) runs .pytest_cache .hypothesis
