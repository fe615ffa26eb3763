"""How long `minekg show` takes and how big the page is, for graphs of 500, 5,000 and 50,000 nodes.

Synthetic minekg-shaped graphs (documents mentioning actors, claims with claimant and accused,
citations of instruments, documents' accounts of events) are loaded into Oxigraph as `minekg show`
loads a build. Each size is written twice: with the default node limit (what a user gets) and with
no limit (every node on the page). The baseline in the same run is pyvis's own path for the same
nodes and links: ``Network.add_node``/``add_edge`` and ``generate_html`` with vis-network inlined
(which still loads Bootstrap from a CDN); it is skipped where it would take more than a few minutes.
With --browser, each minekg page is also opened in headless Chromium (as the browser test does)
and the seconds until it is drawn and settled are reported: what a user waits for.
Run: .venv/bin/python benchmarks/show_size.py [--sizes 500 5000 50000] [--baseline-max 5000]
     [--browser]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
from pyvis.network import Network

from minekg import show

ID = "https://w3id.org/minekg/id/"
MKG = "https://w3id.org/minekg/ontology#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
# Share of display nodes per class, roughly as in the embedded data; instruments make up the rest.
MIX = {"document": 0.08, "claim": 0.3, "state": 0.04, "organization": 0.18, "event": 0.3}


def synthetic_store(size: int, seed: int = 1) -> ox.Store:
    rng = random.Random(seed)
    counts = {kind: max(2, int(size * share)) for kind, share in MIX.items()}
    counts["instrument"] = size - sum(counts.values())
    iri = {kind: [ox.NamedNode(f"{ID}{kind}/{i}") for i in range(n)] for kind, n in counts.items()}
    classes = {
        "document": "SourceDocument",
        "claim": "Claim",
        "state": "State",
        "organization": "Organization",
        "event": "Event",
        "instrument": "Instrument",
    }
    quads = []
    graphs = [
        ox.NamedNode(f"https://w3id.org/minekg/graph/doc{i}") for i in range(len(iri["document"]))
    ]

    def add(s: ox.NamedNode, p: str, o: ox.NamedNode, g: ox.NamedNode) -> None:
        quads.append(ox.Quad(s, ox.NamedNode(p), o, g))

    for kind, nodes in iri.items():
        for n in nodes:
            g = rng.choice(graphs)
            quads.append(ox.Quad(n, RDF_TYPE, ox.NamedNode(MKG + classes[kind]), g))
            quads.append(ox.Quad(n, LABEL, ox.Literal(f"{kind} {n.value[-6:]}"), g))
    actors = iri["state"] + iri["organization"]
    for index, doc in enumerate(iri["document"]):
        g = graphs[index]
        for actor in rng.sample(actors, min(5, len(actors))):
            add(doc, "https://schema.org/mentions", actor, g)
        for cited in rng.sample(iri["instrument"], min(3, len(iri["instrument"]))):
            add(doc, "http://purl.org/spar/cito/cites", cited, g)
    for claim in iri["claim"]:
        g = rng.choice(graphs)
        add(claim, MKG + "claimant", rng.choice(actors), g)
        add(claim, MKG + "accused", rng.choice(actors), g)
        add(claim, "http://www.w3.org/ns/prov#wasDerivedFrom", rng.choice(iri["document"]), g)
    for index, event in enumerate(iri["event"]):
        doc = rng.choice(iri["document"])
        account = ox.NamedNode(f"{event.value}/in/{index}")
        g = graphs[int(doc.value.rsplit("/", 1)[-1])]
        quads.append(ox.Quad(account, RDF_TYPE, ox.NamedNode(MKG + "EventAccount"), g))
        add(account, MKG + "accountOf", event, g)
        add(account, "http://www.w3.org/ns/prov#wasDerivedFrom", doc, g)
        add(account, MKG + "party", rng.choice(actors), g)
    store = ox.Store()
    store.bulk_extend(quads)
    return store


def timed(action):
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def minekg_page(store: ox.Store, limit: int) -> tuple[str, show.DisplayGraph]:
    graph = show.display_graph(show.read_facts(store), "all", limit=limit)
    return show.page(graph), graph


def pyvis_page(graph: show.DisplayGraph) -> str:
    net = Network(directed=True, cdn_resources="in_line")
    for node in graph.nodes:
        net.add_node(
            node.iri, label=node.label, title=node.kind, color=show.STYLES[node.kind].color
        )
    for edge in graph.edges:
        net.add_edge(edge.source, edge.target, label=edge.relation)
    return net.generate_html()


def seconds_to_draw(html: str) -> float:
    """Open the page in headless Chromium, network cut, and wait until it has settled."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        page_file = Path(folder) / "graph.html"
        page_file.write_text(html, encoding="utf-8")
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        started = time.perf_counter()
        page.goto(page_file.as_uri(), timeout=600_000)
        page.wait_for_selector("body[data-drawn=true]", timeout=600_000)
        seconds = time.perf_counter() - started
        browser.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 5000, 50000])
    parser.add_argument("--baseline-max", type=int, default=5000, help="largest pyvis baseline")
    parser.add_argument("--browser", action="store_true", help="time drawing in Chromium too")
    args = parser.parse_args()
    header = (
        f"{'nodes in view':>14} {'mode':<22} {'drawn':>7} {'links':>7} "
        f"{'seconds':>8} {'MB':>6} {'physics':>8}"
    )
    print(header)
    print("-" * len(header))
    for size in args.sizes:
        store = synthetic_store(size)
        total = None
        for mode, limit in (
            ("minekg, default limit", show.DEFAULT_LIMIT),
            ("minekg, --limit 0", 0),
        ):
            (html, graph), seconds = timed(lambda s=store, n=limit: minekg_page(s, n))
            total = total or (len(graph.nodes) + sum(graph.left_out.values()))
            physics = show.vis_data(graph)["options"]["physics"]
            physics = (
                f"{physics['stabilization']['iterations']} it." if physics["enabled"] else "off"
            )
            drawn = f"   drawn in Chromium in {seconds_to_draw(html):.1f} s" if args.browser else ""
            print(
                f"{total:>14,} {mode:<22} {len(graph.nodes):>7,} {len(graph.edges):>7,} "
                f"{seconds:>8.2f} {len(html.encode()) / 1e6:>6.1f} {physics:>8}{drawn}"
            )
            mine_all = seconds, graph
        seconds_all, graph = mine_all
        if len(graph.nodes) <= args.baseline_max:
            html, seconds = timed(lambda graph=graph: pyvis_page(graph))
            print(
                f"{total:>14,} {'baseline: pyvis':<22} {len(graph.nodes):>7,} "
                f"{len(graph.edges):>7,} {seconds:>8.2f} {len(html.encode()) / 1e6:>6.1f} "
                f"{'on':>8}   (minekg --limit 0 / pyvis: {seconds_all / seconds:.2f}x)"
            )
        else:
            print(f"{total:>14,} {'baseline: pyvis':<22} not run (> --baseline-max nodes)")


if __name__ == "__main__":
    main()
