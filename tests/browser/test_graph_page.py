"""out/graph.html in a real browser with the network cut: drawn, clickable, nothing fetched.

Headless Debian Chromium (``make system-deps`` installs it), driven by Playwright, which can block
and record every request a page makes and report its console. No skip: without Chromium this fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright
from rdflib import Dataset
from rdflib.namespace import RDF

from minekg.pipeline import BuildResult
from minekg.vocab import MKG

pytestmark = [pytest.mark.system, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling Google (machines/python.md).
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AZERBAIJAN = "https://w3id.org/minekg/id/state/aze"

NOT_PROJECT_GRAPHS = """
  FILTER(?g NOT IN (<https://w3id.org/minekg/graph/ontology>,
                    <https://w3id.org/minekg/graph/provenance>))"""
# The three views of the page, written out as SPARQL over the built dataset (rdflib, not the
# Oxigraph code the page is made with): its nodes are every end of these links.
ACTORS = "mkg:State mkg:Person mkg:Post mkg:Organization"
VIEWS = [
    f"""SELECT DISTINCT ?a ?b WHERE {{
      GRAPH ?g {{ ?a ?p ?b }} {NOT_PROJECT_GRAPHS}
      GRAPH ?ta {{ ?a a ?ac }} VALUES ?ac {{ mkg:SourceDocument mkg:Claim }}
      GRAPH ?tb {{ ?b a ?bc }} VALUES ?bc {{ {ACTORS} }} }}""",
    f"""SELECT DISTINCT ?a ?b WHERE {{
      GRAPH ?g {{ ?a prov:wasDerivedFrom ?b }} {NOT_PROJECT_GRAPHS}
      GRAPH ?ta {{ ?a a mkg:Claim }} GRAPH ?tb {{ ?b a mkg:SourceDocument }} }}""",
    f"""SELECT DISTINCT ?a ?b WHERE {{
      GRAPH ?g {{ ?a ?p ?b }} {NOT_PROJECT_GRAPHS}
      FILTER(STRSTARTS(STR(?p), STR(cito:)))
      GRAPH ?ta {{ ?a a mkg:SourceDocument }}
      GRAPH ?tb {{ ?b a ?bc }}
      VALUES ?bc {{ mkg:Instrument mkg:CustomaryIHLRule mkg:SourceDocument }} }}""",
    f"""SELECT DISTINCT ?a ?b WHERE {{
      GRAPH ?g {{ ?account mkg:accountOf ?a ; ?p ?b }} {NOT_PROJECT_GRAPHS}
      GRAPH ?tc {{ ?account a mkg:EventAccount }}
      GRAPH ?tb {{ ?b a ?bc }} VALUES ?bc {{ {ACTORS} }} }}""",
    f"""SELECT DISTINCT ?a ?b WHERE {{
      GRAPH ?g {{ ?account mkg:accountOf ?a ; prov:wasDerivedFrom ?b }} {NOT_PROJECT_GRAPHS}
      GRAPH ?tc {{ ?account a mkg:EventAccount }} GRAPH ?tb {{ ?b a mkg:SourceDocument }} }}""",
]
PREFIXES = """PREFIX mkg: <https://w3id.org/minekg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX cito: <http://purl.org/spar/cito/>
"""


def expected_nodes(dataset: Dataset) -> set[str]:
    ends: set[str] = set()
    for query in VIEWS:
        for a, b in dataset.query(PREFIXES + query):  # type: ignore[misc]
            ends |= {str(a), str(b)}
    return ends


@pytest.fixture(scope="module")
def browser() -> Browser:
    assert CHROMIUM.is_file(), f"{CHROMIUM} not found: run `make system-deps` (installs chromium)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=FLAGS
        )
        yield launched
        launched.close()


def test_graph_page_draws_offline_and_shows_a_node_on_click(
    browser: Browser, written: Path, built: BuildResult, tmp_path: Path
) -> None:
    page_file = written / "graph.html"
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    requests: list[str] = []
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith("file://")
            else route.abort("internetdisconnected")
        ),
    )
    page = context.new_page()
    page.on("request", lambda request: requests.append(request.url))
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(page_file.as_uri())
    page.wait_for_selector("body[data-drawn=true]", timeout=60_000)

    drawn = page.evaluate("network.body.data.nodes.getIds()")
    assert sorted(drawn) == sorted(expected_nodes(built.dataset))
    assert page.evaluate("network.body.data.nodes.length") == len(drawn)
    assert page.evaluate("network.body.data.edges.length") > len(drawn) / 2

    x, y = page.evaluate(
        """(id) => {
          const at = network.canvasToDOM(network.getPositions([id])[id]);
          const box = document.querySelector('#graph canvas').getBoundingClientRect();
          return [box.left + at.x, box.top + at.y];
        }""",
        AZERBAIJAN,
    )
    page.mouse.click(x, y)
    details = page.locator("#details")
    details.wait_for(state="visible")
    text = details.inner_text()
    assert "Azerbaijan" in text
    assert "type: State" in text
    assert "A-79-690" in text and "caliber-az-2024-12-azerbaijan-urges-un" in text
    assert details.locator("a").get_attribute("href") == AZERBAIJAN

    shot = tmp_path / "graph.png"
    page.screenshot(path=str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    print(f"screenshot: {shot}")

    assert errors == []
    assert requests and all(url.startswith("file://") for url in requests), requests
    context.close()


def test_type_filter_and_search(browser: Browser, written: Path, built: BuildResult) -> None:
    """Unticking a class hides its nodes; a search selects the matching node and describes it."""
    context = browser.new_context()
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith("file://")
            else route.abort("internetdisconnected")
        ),
    )
    page = context.new_page()
    page.goto((written / "graph.html").as_uri())
    page.wait_for_selector("body[data-drawn=true]", timeout=60_000)
    claims = page.evaluate("network.body.data.nodes.get().filter(n => n.kind === 'Claim').length")
    assert claims == len({q[0] for q in built.dataset.quads((None, RDF.type, MKG.Claim, None))})
    page.locator('#legend input[data-kind="Claim"]').uncheck()
    hidden = page.evaluate("network.body.data.nodes.get().filter(n => n.hidden).length")
    assert hidden == claims
    page.locator("#search").fill("Azerbaijan")
    page.locator("#search").press("Enter")
    assert "Azerbaijan" in page.locator("#details").inner_text()
    assert page.evaluate("network.getSelectedNodes().length") >= 1
    context.close()
