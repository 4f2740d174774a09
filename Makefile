# git-dws developer tasks. `make demo` and `make test` work on a fresh machine with python3 and git:
# they create .venv and install what they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test test-fast lint typecheck format check man bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" bash demo/demo.sh

test: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -n 2 -q

lint: $(STAMP)
	$(BIN)/ruff check git_dws tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix git_dws tests bench
	$(BIN)/ruff format git_dws tests bench

check: lint typecheck test

man:
	@ls man/man1/*.1 >/dev/null && for f in man/man1/*.1; do MANWIDTH=80 man -l "$$f" >/dev/null 2>&1 || { echo "bad page $$f"; exit 1; }; done; echo "man pages ok"

bench: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache bench/work demo-workspace
