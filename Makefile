# The two commands a newcomer needs: `make build` and `make test`.
# Both create .venv with Python 3.11+ and install minekg into it on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: build test system-deps lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

build: $(STAMP) system-deps
	$(BIN)/minekg build

# Java runs HermiT (the OWL reasoner inside owlready2); Chromium runs the graph page's browser
# test (Playwright drives Debian's build: `playwright install` would download a browser of its
# own). Both are installed from Debian if missing.
system-deps:
	@command -v java >/dev/null 2>&1 || { \
	  echo "Java not found: installing default-jre-headless (HermiT needs it)"; \
	  apt-get update -qq && apt-get install -y -qq default-jre-headless >/dev/null; }
# nginx and Apache serve the published site in the tests, with the rules minekg publish writes.
	@[ -x /usr/sbin/nginx ] && [ -x /usr/sbin/apache2 ] || { \
	  echo "nginx or apache2 not found: installing nginx-light and apache2-bin (publish tests)"; \
	  apt-get update -qq && apt-get install -y -qq nginx-light apache2-bin >/dev/null; }
	@test -x /usr/bin/chromium || { \
	  echo "Chromium not found: installing Debian's chromium (the graph page's browser test needs it)"; \
	  apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

test: $(STAMP) system-deps
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy src
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy src

clean:
	rm -rf $(VENV) out .out-* build src/*.egg-info .pytest_cache
