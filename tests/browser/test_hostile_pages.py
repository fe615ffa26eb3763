"""Hostile values on the published pages and the SPARQL result page, in headless Chromium: every
value shows as text, the page body is whole, no script runs on load or on clicking any link, and
the embedded JSON-LD still parses to the page's data.

The values come the way they would in practice: titles, labels and quotes copied from HTML
sources, and a ``javascript:`` address that reaches the dump (a record cannot hold one any more:
``test_a_record_with_a_javascript_address_is_refused``).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from browser.test_graph_page import browser as browser  # noqa: F401  (Chromium, once per module)
from click.testing import CliRunner
from playwright.sync_api import Browser, Page
from test_serve import serving

from minekg import publish, serve, show
from minekg.cli import main
from minekg.pipeline import Paths, build, write

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = '</script><!--<script>"><img src=x onerror=alert(1)> javascript:alert(2)\u2028end'
SCRIPT_ADDRESS = "javascript:alert(document.domain)"
DOCUMENT = "https://w3id.org/minekg/id/document/A-79-690"


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's site, built from records whose title, quote and label hold HOSTILE, with a
    ``javascript:`` address as the document's rdfs:seeAlso in the dump."""
    folder = tmp_path_factory.mktemp("hostile")
    shutil.copytree(ROOT / "data", folder / "data")
    records, reference = folder / "data" / "records", folder / "data" / "reference"
    # YAML double-quoted strings: the value holds quotes and a line separator.
    encoded = json.dumps(HOSTILE)
    _replace(
        records / "A-79-690.yaml",
        "title: Letter dated 12 December 2024 from the Permanent Representative of Azerbaijan to"
        " the United Nations addressed\n    to the Secretary-General",
        f"title: {encoded}",
    )
    _replace(records / "A-79-690.yaml", "quote: See A/78/908-S/2024/456.", f"quote: {encoded}")
    _replace(reference / "states.yaml", "label: Azerbaijan", f"label: {encoded}")
    paths = Paths(folder / "data", ROOT / "ontology", folder / "out")
    write(build(paths, reasoner=False), paths)
    with (paths.out / "minekg.nq").open("a", encoding="utf-8") as dump:
        see_also = "<http://www.w3.org/2000/01/rdf-schema#seeAlso>"
        graph = "<https://w3id.org/minekg/graph/A-79-690>"
        dump.write(f"<{DOCUMENT}> {see_also} <{SCRIPT_ADDRESS}> {graph} .\n")
    site = folder / "site"
    publish.write_site(site, publish.site_files(paths.out, ROOT / "ontology", [ROOT / "queries"]))
    return site


def offline_page(browser: Browser, dialogs: list[str]) -> Page:
    """A page that may load only files and loopback, and records every dialog script opens."""
    context = browser.new_context()
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(("file://", "http://127.0.0.1"))
            else route.abort("internetdisconnected")
        ),
    )
    page = context.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    return page


def click_every_link(page: Page) -> list[str]:
    """Click each link; their protocols. Only a javascript: link keeps its default action (it
    would run its script): the others would leave the page, so they stay put."""
    return list(
        page.evaluate(
            """() => {
              document.addEventListener("click", (event) => {
                const link = event.target.closest("a");
                if (link && link.protocol !== "javascript:") event.preventDefault();
              }, true);
              const links = [...document.links];
              for (const link of links) link.click();
              return links.map((link) => link.protocol);
            }"""
        )
    )


@pytest.mark.parametrize("resource", ["id/document/A-79-690", "id/state/aze"])
def test_a_page_of_hostile_values_shows_them_as_text(
    browser: Browser, hostile_site: Path, resource: str
) -> None:
    dialogs: list[str] = []
    page = offline_page(browser, dialogs)
    file = hostile_site / f"{resource}.html"
    page.goto(file.as_uri())
    body = page.inner_text("body")
    assert HOSTILE.replace("\u2028", "") in body.replace("\u2028", "")
    assert "What the sources say" in body
    # The body is whole: every table row the file holds is in the document.
    assert page.locator("tr").count() == file.read_text(encoding="utf-8").count("<tr")
    assert page.locator("img").count() == 0
    embedded = page.evaluate(
        "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)"
    )
    assert embedded == json.loads((hostile_site / f"{resource}.jsonld").read_text("utf-8"))
    protocols = click_every_link(page)
    assert protocols and set(protocols) <= {"file:", "http:", "https:"}
    assert dialogs == []
    if resource.startswith("id/document"):
        assert SCRIPT_ADDRESS in body, "the address shows, as text"
    page.context.close()


@pytest.fixture(scope="module")
def server(hostile_site: Path) -> Iterator[str]:
    with serving(hostile_site, serve.Limits()) as url:
        yield url


def test_a_sparql_result_page_shows_a_javascript_iri_as_text(browser: Browser, server: str) -> None:
    dialogs: list[str] = []
    page = offline_page(browser, dialogs)
    query = 'SELECT ?x ?label WHERE { BIND(IRI("javascript:alert(1)") AS ?x) ' + (
        "<https://w3id.org/minekg/id/state/aze> <http://www.w3.org/2004/02/skos/core#prefLabel> "
        "?label }"
    )
    page.goto(f"{server}/sparql?query={quote(query)}")
    cells = page.locator("td").all_inner_texts()
    assert "javascript:alert(1)" in cells, page.content()
    assert HOSTILE.replace("\u2028", "") in [cell.replace("\u2028", "") for cell in cells]
    protocols = click_every_link(page)
    assert protocols and set(protocols) <= {"http:", "https:"}
    assert dialogs == []
    page.context.close()


def test_a_record_with_a_javascript_address_is_refused(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    record = tmp_path / "data" / "records" / "A-79-690.yaml"
    _replace(record, "url: https://undocs.org/en/A/79/690", f'url: "{SCRIPT_ADDRESS}"')
    result = CliRunner().invoke(
        main,
        ["build", "--data", str(tmp_path / "data"), "--ontology", str(ROOT / "ontology")]
        + ["--out", str(tmp_path / "out")],
    )
    assert result.exit_code == 1
    expected = (
        f"error: {record}:9: source.url: Value error, 'javascript:alert(document.domain)' "
        "is not an http(s) address (https://...)"
    )
    assert expected in result.output.splitlines(), result.output
    assert not (tmp_path / "out").exists()


def test_the_graph_page_shows_a_hostile_node_as_text(browser: Browser, tmp_path: Path) -> None:
    nodes = [
        show.Node(SCRIPT_ADDRESS, HOSTILE, "State", ("A-79-690",)),
        show.Node(DOCUMENT, "A/79/690", "Document", ("A-79-690",)),
    ]
    edges = [show.Edge(DOCUMENT, SCRIPT_ADDRESS, "mentions", ("A-79-690",))]
    file = tmp_path / "graph.html"
    file.write_text(show.page(show.DisplayGraph(HOSTILE, nodes, edges)), encoding="utf-8")
    dialogs: list[str] = []
    page = offline_page(browser, dialogs)
    page.goto(file.as_uri())
    page.wait_for_selector("body[data-drawn=true]", timeout=60_000)
    assert page.evaluate("network.body.data.nodes.length") == 2
    for iri in (SCRIPT_ADDRESS, DOCUMENT):
        page.evaluate("(id) => showDetails(id)", iri)
        details = page.locator("#details")
        assert iri in details.inner_text()
        assert click_every_link(page) == ([] if iri == SCRIPT_ADDRESS else ["https:"])
    assert HOSTILE.replace("\u2028", "") in page.inner_text("body").replace("\u2028", "")
    assert dialogs == []
    page.context.close()
