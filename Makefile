# Two commands for a newcomer: `make demo` and `make test`. Both create .venv
# when it is missing and (re)install the project when pyproject.toml changed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench reliability vendor screenshot clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# After the install, the editable sources' bytecode, as pip writes it for installed
# packages: where PYTHONDONTWRITEBYTECODE is set, every command would compile them again
# (0.1 s of `timeline show` or `list --limit 20` on a 1M-event log: 0.13 s against 0.23 s).
$(STAMP): pyproject.toml $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	$(BIN)/python -m compileall -q src plugins
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/timeline demo --db demo.db

lint: $(STAMP)
	$(BIN)/ruff check src plugins tests benchmarks docs
	$(BIN)/ruff format --check src plugins tests benchmarks docs

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest tests
	$(BIN)/pytest benchmarks --benchmark-disable -q -p no:cacheprovider

test: lint typecheck pytest

bench: $(STAMP)
	BENCH_SIZES=$${BENCH_SIZES:-10000,100000} $(BIN)/pytest benchmarks --benchmark-only \
		--benchmark-columns=min,mean,ops --benchmark-sort=name -q -s -p no:cacheprovider

# Fetch the html exporter's engine (vis-timeline) again with npm; fails on a sha256 mismatch
# with plugins/timeline_html/_vendor/VENDOR.json.
vendor: $(STAMP)
	$(BIN)/python -c "import sys, timeline_html._vendored as v; sys.exit(v.main())"

# Redraw docs/relos-timeline.png (shown in the README) and docs/relos-december-2025.png
# in headless Chromium.
screenshot: $(STAMP)
	$(BIN)/python -m timeline_html._browser docs

# The reliability suite (tests/reliability/): not part of `make test`, which runs its
# smoke version. E.g. RELIABILITY_ARGS="--crash-trials 200 --fuzz-seconds 10".
reliability: $(STAMP)
	$(BIN)/python tests/reliability/suite.py $(RELIABILITY_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .benchmarks
