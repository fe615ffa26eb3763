"""A web page of another origin (a notebook, YASGUI) asks /sparql in a real browser: CORS lets
it read the answer, and turning CORS off stops it. Headless Debian Chromium through Playwright;
both origins are on loopback (127.0.0.1 serves the page, localhost the endpoint)."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from browser.test_graph_page import CHROMIUM, FLAGS
from playwright.sync_api import sync_playwright
from test_serve import free_port, serving
from test_serve import site as site  # noqa: F401  (the published site fixture)

from minekg import serve

pytestmark = [pytest.mark.system, pytest.mark.slow]

PAGE = """<!doctype html><meta charset="utf-8"><title>notebook</title><script>
async function ask(endpoint) {
  try {
    const response = await fetch(endpoint, {method: "POST", body: "ASK { ?s ?p ?o }",
      headers: {"Content-Type": "application/sparql-query",
                "Accept": "application/sparql-results+json"}});
    return String((await response.json()).boolean);
  } catch (error) { return "blocked"; }
}
</script>"""


@pytest.fixture
def notebook(tmp_path: Path) -> Iterator[str]:
    """A page of its own origin, http://127.0.0.1:PORT/, served by the standard library."""
    (tmp_path / "index.html").write_text(PAGE, encoding="utf-8")
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("cors", [True, False])
def test_a_page_of_another_origin_reads_answers_only_with_cors(
    site: Path,  # noqa: F811
    notebook: str,
    cors: bool,
) -> None:
    assert CHROMIUM.is_file(), f"{CHROMIUM} not found: run `make system-deps` (installs chromium)"
    with serving(site, serve.Limits(cors=cors)) as url:
        endpoint = url.replace("127.0.0.1", "localhost") + "/sparql"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
            page = browser.new_page()
            page.goto(notebook)
            answer = page.evaluate("endpoint => ask(endpoint)", endpoint)
            browser.close()
    assert answer == ("true" if cors else "blocked")
