# Two commands on a fresh clone (Python 3.10+ and git, nothing else):
#   make demo   the offline quick starts: media transforms, speech, a routed video-to-text
#   make test   the whole test suite (what CI runs)
# Each makes .venv with the package and its dev tools the first time, and reuses it
# after (rebuilt when pyproject.toml changes). `make lint` runs ruff and mypy.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean-venv

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/quickstart.py
	$(BIN)/python examples/speech.py
	$(BIN)/python examples/routing.py

test: $(STAMP)
	$(BIN)/python -m pytest -n auto

lint: $(STAMP)
	$(BIN)/ruff check mediaconduit tests providers
	$(BIN)/mypy mediaconduit

bench: $(STAMP)
	$(BIN)/python scripts/bench.py

clean-venv:
	rm -rf $(VENV)
