# git-dws developer tasks. `make demo` and `make test` work on a fresh machine with python3 and git:
# they create .venv and install what they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test test-fast lint typecheck format check man bench clean faults

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,sklearn,jupyter,keras]'  # the kits' extras: tests/kits needs them
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

# kill -9 at N seeded random moments of snapshot, restore, push, pull, commit (hooks) and gc; prints a
# table of trials / held / failed (tests/faults/run.py; a 21-trial subset runs in `make test`).
N ?= 200
faults: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python tests/faults/run.py $(N)

# Renders every page with warnings on; any message (or a page git-dws.1 does not list) fails.
man:
	@command -v man >/dev/null || { echo "man is not installed (Debian/Ubuntu: apt-get install man-db)"; exit 1; }
	@ls man/man1/git-dws.1 >/dev/null
	@for f in man/man1/*.1; do \
	  msg=$$(MANWIDTH=80 man --warnings -l "$$f" 2>&1 >/dev/null) || { echo "$$f: man failed"; exit 1; }; \
	  [ -z "$$msg" ] || { echo "$$f: $$msg"; exit 1; }; \
	  page=$$(basename "$$f" .1); [ "$$page" = git-dws ] || grep -q "^\.BR $$(echo $$page | sed 's/-/\\\\-/g') (1)" man/man1/git-dws.1 \
	    || { echo "$$f: not listed in man/man1/git-dws.1"; exit 1; }; \
	done; echo "man pages ok ($$(ls man/man1/*.1 | wc -l) pages)"

bench: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache bench/work demo-workspace
