# Two commands: `make run` starts the whole system, `make test` runs every test.
# Both install what they need on a machine that has only Python 3.11+.

PYTHON ?= python3
TOOLS  := .tools
UV     := $(TOOLS)/bin/uv
VENV   := .venv
UV_VERSION := 0.13.8

export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install run test test-faults lint bench clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

# The lock pins every package; --frozen installs exactly it, and fails rather than re-resolving.
# Installed packages are compiled to bytecode, as pip does and as the images are: where
# PYTHONDONTWRITEBYTECODE is set, every process would otherwise compile every module it imports,
# every time (`zwk up` took 13–17 s instead of 6–8).
install: $(UV)
	$(UV) sync --frozen --all-packages --python $(PYTHON) --quiet --compile-bytecode

run: install
	$(VENV)/bin/zwk up

test: install
	$(VENV)/bin/pytest -n 2 --dist loadfile

# Only the fault scenarios (also part of `make test`): kills, outages, a three-node
# cluster and a burst of 10,000 events, each with servers of its own.
test-faults: install
	$(VENV)/bin/pytest -m faults tests/faults

lint: install
	$(VENV)/bin/ruff check libs services tests benchmarks

# Benchmarks at national scale (benchmarks/README.md); SIZE=small or BENCH_SIZE=small for a quick run.
bench: install
	$(VENV)/bin/python -m benchmarks $(if $(SIZE),--size $(SIZE))

clean:
	rm -rf $(VENV) $(TOOLS) .zwk
