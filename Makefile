# The two commands a newcomer needs: `make build` and `make test`.
# Both create .venv with Python 3.11+ and install minekg into it on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: build test java system-deps lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

build: $(STAMP) java
	$(BIN)/minekg build

# Java runs HermiT (the OWL reasoner inside owlready2), in the build and in the tests.
java:
	@command -v java >/dev/null 2>&1 || { \
	  echo "Java not found: installing default-jre-headless (HermiT needs it)"; \
	  apt-get update -qq && apt-get install -y -qq default-jre-headless >/dev/null; }

# What the tests drive, installed from Debian if missing: Chromium for the graph page's browser
# test (Playwright drives Debian's build: `playwright install` would download a browser of its
# own), nginx and Apache to serve the published site with the rules minekg publish writes,
# Virtuoso to push into with a login (its Graph Store endpoint asks for HTTP Digest), Raptor's
# rapper and Serd's serdi to parse the dumps beside pyoxigraph, and the OWL API to check that
# ontology plus data stay in the OWL 2 DL profile.
system-deps: java
	@test -x /usr/bin/chromium || { \
	  echo "Chromium not found: installing Debian's chromium (the graph page's browser test)"; \
	  apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
	@[ -x /usr/sbin/nginx ] && [ -x /usr/sbin/apache2 ] || { \
	  echo "nginx or apache2 not found: installing nginx-light and apache2-bin (publish tests)"; \
	  apt-get update -qq && apt-get install -y -qq nginx-light apache2-bin >/dev/null; }
	@test -x /usr/bin/virtuoso-t || { \
	  echo "Virtuoso not found: installing virtuoso-opensource (the authenticated push test)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource >/dev/null; }
	@[ -x /usr/bin/rapper ] && [ -x /usr/bin/serdi ] || { \
	  echo "rapper or serdi not found: installing raptor2-utils and serdi (the dump parse test)"; \
	  apt-get update -qq && apt-get install -y -qq raptor2-utils serdi >/dev/null; }
	@test -f /usr/share/java/owlapi-distribution.jar || { \
	  echo "OWL API not found: installing libowlapi-java (the OWL 2 DL profile test)"; \
	  apt-get update -qq && apt-get install -y -qq libowlapi-java >/dev/null; }

test: $(STAMP) system-deps
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy src
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy src

clean:
	rm -rf $(VENV) out .out-* build src/*.egg-info .pytest_cache
