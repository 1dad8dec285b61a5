# Two commands: `make run` and `make test`. Everything they need is installed here.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test install install-test db demo clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

# The browser test drives Debian's chromium through Playwright (which cannot download its own browsers here).
CHROMIUM ?= /usr/bin/chromium

$(CHROMIUM):
	$$( [ "$$(id -u)" = 0 ] || echo sudo ) sh -c 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium'

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python $(CHROMIUM)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# `make run` is a development run: without DATA_KEY it makes a local key in .data_key (git-ignored),
# which seals the demo database's answers. Production is any other start, and needs DATA_KEY.
db run: export ENVIRONMENT ?= development

db: install
	$(BIN)/bot db upgrade
	$(BIN)/bot customers import data/demo_customers.csv
	$(BIN)/bot flows publish --if-new --by "make run" --message "flows/ at start-up"

run: db
	$(BIN)/bot serve --host $(HOST) --port $(PORT) --demo

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python benchmarks/run_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) bot.db .pytest_cache
	@[ ! -f .data_key ] || echo "kept .data_key: it opens what bot.db holds sealed"
