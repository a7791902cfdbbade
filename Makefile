# The two commands a fresh machine needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
DEMO_INDEX := var/demo-index

.PHONY: demo test install

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

demo: $(STAMP)
	$(BIN)/kbsearch index demo/corpus --index-dir $(DEMO_INDEX) --quiet
	KBSEARCH_INDEX_DIR=$(DEMO_INDEX) $(BIN)/kbsearch serve --host 127.0.0.1 --port 8000

test: $(STAMP)
	@command -v chromium >/dev/null || { echo "browser tests need Debian's chromium: apt-get install chromium"; }
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest
