"""The published catalog.ttl against the official DCAT-AP 3.0.0 shapes, and void.ttl as a VoID
client reads it: the endpoint, one subset per named graph, the vocabularies the data uses."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SH, VOID

from minekg import store
from minekg.cli import main

ROOT = Path(__file__).resolve().parents[1]
SHAPES = ROOT / "tests/data/dcat-ap"
# The Interoperable Europe validator's "DCAT-AP 3.0.0 Full" profile (tests/data/dcat-ap/README.md).
PROFILE = ("shapes.ttl", "range.ttl", "shapes_recommended.ttl", "deprecateduris.ttl")
BASE = "https://w3id.org/minekg/"


@pytest.fixture(scope="module")
def site(written: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("catalog") / "site"
    result = CliRunner().invoke(
        main,
        ["publish", "--out", str(folder), "--graph", str(written)]
        + ["--ontology", str(ROOT / "ontology"), "--project", str(ROOT)],
    )
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture(scope="module")
def catalog(site: Path) -> Graph:
    return Graph().parse(site / "catalog.ttl", format="turtle")


def dcat_ap(catalog: Graph, background: Graph | None) -> tuple[bool, list[tuple[str, str, str]]]:
    """Validate as the EU validator's profiles do: the shapes on the data, with the class and
    property axioms of a vocabulary when background knowledge is asked for, and no RDFS
    entailment (its configuration sets none, and DCAT-AP's shapes contradict DCAT's own
    subproperties: ``dcat:mediaType`` entails a second ``dct:format``, which DCAT-AP limits to
    one EU file type)."""
    shapes = Graph()
    for name in PROFILE:
        shapes.parse(SHAPES / name, format="turtle")
    conforms, report, _ = validate(
        catalog, shacl_graph=shapes, ont_graph=background, inference="none", allow_warnings=True
    )
    results = sorted(
        (
            str(report.value(result, SH.resultSeverity)).removeprefix(str(SH)),
            str(report.value(result, SH.focusNode)).removeprefix(BASE),
            str(report.value(result, SH.resultPath)),
        )
        for result in report.subjects(RDF.type, SH.ValidationResult)
    )
    return bool(conforms), results


def test_catalog_conforms_to_dcat_ap_3(catalog: Graph) -> None:
    conforms, results = dcat_ap(catalog, background=None)
    assert conforms, [r for r in results if r[0] != "Warning"]
    # Recommended properties left out because minekg cannot state them truthfully: it has no
    # contact address, no publisher type from the ADMS list, no planned availability, no single
    # spatial coverage, no date of its own (the site is byte-identical from one build to the next)
    # and no licence of its own for the catalog.
    dumps = ["minekg.jsonld", "minekg.nq", "minekg.trig", "minekg.ttl"]
    assert results == sorted(
        [("Warning", dump, "http://data.europa.eu/r5r/availability") for dump in dumps]
        + [
            ("Warning", "catalog", str(DCTERMS.issued)),
            ("Warning", "catalog", str(DCTERMS.license)),
            ("Warning", "catalog", str(DCTERMS.modified)),
            ("Warning", "catalog", str(DCTERMS.spatial)),
            ("Warning", "catalog#sparql", str(DCAT.contactPoint)),
            ("Warning", "dataset", str(DCAT.contactPoint)),
            ("Warning", "dataset", str(DCTERMS.spatial)),
            ("Warning", "dataset#publisher", str(DCTERMS.type)),
        ]
    )


def test_catalog_conforms_with_dcat_as_background_knowledge(catalog: Graph) -> None:
    """With DCAT itself loaded, a dcat:Catalog is a dcat:Dataset and must pass those shapes too."""
    background = Graph().parse(SHAPES / "dcat2.ttl", format="turtle")
    conforms, results = dcat_ap(catalog, background)
    assert conforms, [r for r in results if r[0] != "Warning"]


def test_catalog_describes_the_site_its_dumps_and_its_endpoint(catalog: Graph, site: Path) -> None:
    site_catalog = catalog.value(None, RDF.type, DCAT.Catalog, any=False)
    dataset = URIRef(BASE + "dataset")
    assert set(catalog.objects(site_catalog, DCAT.dataset)) == {dataset}
    service = catalog.value(site_catalog, DCAT.service)
    assert catalog.value(service, DCAT.endpointURL) == URIRef(BASE + "sparql")
    assert catalog.value(service, DCAT.servesDataset) == dataset
    assert catalog.value(service, DCTERMS.conformsTo) == URIRef(
        "https://www.w3.org/TR/sparql11-protocol/"
    )
    publisher = catalog.value(dataset, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in catalog
    assert catalog.value(publisher, FOAF.mbox) is None, "no invented contact address"
    assert (catalog.value(dataset, DCTERMS.license), RDF.type, DCTERMS.LicenseDocument) in catalog
    assert (catalog.value(dataset, DCAT.landingPage), RDF.type, FOAF.Document) in catalog
    for distribution in catalog.objects(dataset, DCAT.distribution):
        name = str(distribution).removeprefix(BASE)
        assert catalog.value(distribution, DCAT.accessURL) == distribution
        assert catalog.value(distribution, DCAT.byteSize) == Literal(
            (site / name).stat().st_size,
            datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal"),
        )
        media_type = str(catalog.value(distribution, DCAT.mediaType))
        assert media_type.startswith("http://www.iana.org/assignments/media-types/")
        assert str(catalog.value(distribution, DCTERMS.format)).startswith(
            "http://publications.europa.eu/resource/authority/file-type/"
        )


def test_void_names_the_endpoint_the_graphs_and_the_vocabularies(site: Path, written: Path) -> None:
    void = Graph().parse(site / "void.ttl", format="turtle")
    dataset = URIRef(BASE + "dataset")
    assert void.value(dataset, VOID.sparqlEndpoint) == URIRef(BASE + "sparql")
    built = store.load(written)
    sizes = {
        URIRef(graph.value): sum(1 for _ in built.quads_for_pattern(None, None, None, graph))
        for graph in built.named_graphs()
    }
    subsets = set(void.objects(dataset, VOID.subset))
    assert subsets == set(sizes)
    assert {s: void.value(s, VOID.triples).toPython() for s in subsets} == sizes  # type: ignore[union-attr]
    terms = {q.predicate.value for q in built} | {
        q.object.value
        for q in built.quads_for_pattern(None, ox.NamedNode(str(RDF.type)), None, None)
        if isinstance(q.object, ox.NamedNode)
    }
    vocabularies = {str(v) for v in void.objects(dataset, VOID.vocabulary)}
    assert all(any(term.startswith(v) for v in vocabularies) for term in terms)
    assert all(any(term.startswith(v) for term in terms) for v in vocabularies), "none unused"
    assert {"https://w3id.org/minekg/ontology#", str(DCTERMS), str(RDF)} <= vocabularies
