"""The ontology, the measure scheme and the JSON-LD context: they parse, are documented, cover what
the mapping uses, reason consistently under HermiT, and agree on prefixes."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import owlready2
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from minekg.evaluate import MEASURES as ANSWER_KEY_MEASURES

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_DIR = ROOT / "ontology"
MKG = Namespace("https://w3id.org/minekg/ontology#")
MEASURE = Namespace("https://w3id.org/minekg/measure/")
ONTOLOGY_IRI = URIRef("https://w3id.org/minekg/ontology")
DECLARATIONS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)

MEASURES = (
    """
mine_victims_total mine_victims_children mine_victims_women mine_victims_post_conflict
mine_victims_killed mine_victims_injured mine_incidents_post_conflict contaminated_area_km2
contaminated_area_share_pct territory_total_km2 area_cleared_ha area_cleared_share_pct
land_released_ha mines_estimated mines_neutralized mines_neutralized_share_pct ap_mines_neutralized
at_mines_neutralized erw_neutralized explosive_devices_neutralized idps missing_persons
conference_participants conference_countries conference_organizations conferences_hosted
clearance_cost clearance_cost_usd clearance_years_needed conflict_deaths conflict_years
occupation_years
occupied_territory_share_pct war_duration_days settlements_ruined settlements_liberated
new_minefields_length_km mine_map_submissions mines_covered_by_shared_maps
formularies_partially_filled_share formularies_false_share
""".split()
    + sorted(ANSWER_KEY_MEASURES)
)  # every measure of the answer keys' vocabulary

# A few nodes typed the way the mapping types them: several types on one node, partial dates,
# language-tagged text, an owl:sameAs link, values that are property IRIs.
SAMPLE_DATA = """
@prefix mkg: <https://w3id.org/minekg/ontology#> .
@prefix measure: <https://w3id.org/minekg/measure/> .
@prefix id: <https://w3id.org/minekg/id/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix schema: <https://schema.org/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix cito: <http://purl.org/spar/cito/> .
@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#> .
@prefix sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#> .
@prefix sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#> .
@prefix unit: <http://qudt.org/vocab/unit/> .
@prefix sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> .

id:doc a mkg:SourceDocument, mkg:Letter ; mkg:unSymbol "A/79/690" ; mkg:agendaItem 18 ;
    dct:issued "2024-12-12"^^xsd:date ; dct:language <http://id.loc.gov/vocabulary/iso639-1/en> ;
    dct:source <https://undocs.org/en/A/79/690> ;
    dct:hasPart id:annex ; mkg:transmits id:annex ; schema:author id:person .
id:annex a mkg:SourceDocument, mkg:Annex, mkg:Statement ; dct:issued "2024-06"^^xsd:gYearMonth .
id:aze a mkg:State ; owl:sameAs <http://www.wikidata.org/entity/Q227> ; mkg:iso3166Code "AZ" .
id:anama a mkg:Organization, mkg:NationalAgency ; mkg:acronym "ANAMA" ; mkg:country id:aze ;
    schema:foundingDate "1998"^^xsd:gYear .
id:person a mkg:Person ; schema:nationality id:aze .
id:claim a mkg:Claim ; mkg:claimant id:aze ; mkg:accused id:arm ; schema:text "..."@en ;
    schema:appearance id:annex ; prov:wasDerivedFrom id:annex ; mkg:invokes id:rule82 .
id:rule82 a mkg:CustomaryIHLRule, mkg:LegalInstrument, mkg:Instrument ; mkg:ruleNumber 82 ;
    mkg:legalScope mkg:IACandArguablyNIAC ;
    mkg:icrcPage <https://ihl-databases.icrc.org/en/customary-ihl/v1/rule82> .
id:citation a mkg:Citation ; cito:hasCitingEntity id:doc ; cito:hasCitedEntity id:rule82 ;
    cito:hasCitationCharacterization cito:citesAsAuthority ; mkg:footnote 1 .
id:obs a mkg:Observation, qb:Observation ; qb:dataSet id:figures ;
    mkg:measure measure:mine_victims_total ; sdmx-dimension:refArea id:aze ;
    mkg:asOf "2024-09"^^xsd:gYearMonth ; mkg:qualifier mkg:Over ; mkg:estimate true ;
    sdmx-measure:obsValue 3461.0 ; sdmx-attribute:unitMeasure unit:NUM .
id:figures a qb:DataSet ; qb:structure mkg:figureStructure .
id:status a mkg:TreatyStatus ; mkg:state id:aze ; mkg:treaty id:ottawa ; mkg:status mkg:NotParty .
id:conf a mkg:Event, mkg:Conference ; sem:hasBeginTimeStamp "2024-05-30"^^xsd:date ;
    mkg:organizer id:anama ; mkg:host id:aze ; sem:hasPlace id:zangilan .
id:zangilan a mkg:Place, mkg:District .
"""


def _parse(*names: str) -> Graph:
    graph = Graph(bind_namespaces="none")
    for name in names:
        graph.parse(ONTOLOGY_DIR / name, format="turtle")
    return graph


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return _parse("minekg.ttl")


@pytest.fixture(scope="module")
def measures() -> Graph:
    return _parse("measures.ttl")


def _mkg_terms(graph: Graph) -> set[URIRef]:
    return {s for kind in DECLARATIONS for s in graph.subjects(RDF.type, kind) if s in MKG}


def test_files_parse_and_ontology_has_its_header(ontology: Graph, measures: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("0.1.0")
    header = ("title", "description", "license")
    for p in [URIRef(f"http://purl.org/dc/terms/{n}") for n in header] + [
        URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix")
    ]:
        assert ontology.value(ONTOLOGY_IRI, p) is not None, p
    assert (MEASURE[""], RDF.type, SKOS.ConceptScheme) in measures


def test_every_mkg_term_has_a_label_and_a_one_sentence_definition(ontology: Graph) -> None:
    terms = _mkg_terms(ontology)
    assert len(terms) > 100
    for term in terms:
        assert ontology.value(term, RDFS.label), f"{term} has no rdfs:label"
        text = ontology.value(term, SKOS.definition) or ontology.value(term, RDFS.comment)
        assert text, f"{term} has no skos:definition or rdfs:comment"
        definition = ontology.value(term, SKOS.definition)
        if definition is not None:
            assert str(definition).endswith(".") and not re.search(r"[.!?]\s", str(definition)), (
                f"definition of {term} is not one sentence: {definition}"
            )


def test_no_iri_is_declared_as_two_kinds_of_entity(ontology: Graph, measures: Graph) -> None:
    graph = ontology + measures
    kinds = (*DECLARATIONS, OWL.NamedIndividual)
    for subject in set(graph.subjects(RDF.type, None)):
        declared = [k for k in kinds if (subject, RDF.type, k) in graph]
        assert len(declared) <= 1, f"{subject} is punned: {declared}"


def test_every_mkg_name_the_code_uses_is_declared(ontology: Graph) -> None:
    used = {
        name
        for path in (ROOT / "src").rglob("*.py")
        for name in re.findall(r"\bMKG\.(\w+)", path.read_text(encoding="utf-8"))
    }
    declared = {s for s in ontology.subjects(RDF.type, None) if s in MKG}
    assert sorted(name for name in used if MKG[name] not in declared) == []


def test_every_measure_is_complete(measures: Graph) -> None:
    defined = set(measures.subjects(RDF.type, MKG.Measure))
    assert defined == {MEASURE[name] for name in MEASURES}
    for name in MEASURES:
        concept = MEASURE[name]
        assert measures.value(concept, SKOS.notation) == Literal(name)
        assert measures.value(concept, SKOS.prefLabel), name
        assert measures.value(concept, SKOS.definition), name
        assert (concept, SKOS.inScheme, MEASURE[""]) in measures, name
        unit = measures.value(concept, MKG.unit)
        assert str(unit).startswith(
            ("http://qudt.org/vocab/unit/", "http://qudt.org/vocab/currency/")
        )
        cumulative = measures.value(concept, MKG.cumulative)
        assert isinstance(cumulative, Literal) and cumulative.datatype == XSD.boolean, name
        group = measures.value(concept, SKOS.broader)
        assert (group, SKOS.topConceptOf, MEASURE[""]) in measures, name


def _hermit(graph: Graph, tmp_path: Path, ignore_unsupported_datatypes: bool = False) -> None:
    """Run HermiT through owlready2 on the graph; raises if inconsistent, asserts no unsatisfiable
    class. Fails, never skips, when Java is missing."""
    assert shutil.which(owlready2.JAVA_EXE), f"Java ({owlready2.JAVA_EXE}) is needed for HermiT"
    path = tmp_path / "graph.nt"
    graph.serialize(path, format="nt", encoding="utf-8")
    world = owlready2.World()
    world.get_ontology(path.as_uri()).load()
    owlready2.sync_reasoner_hermit(
        world,
        infer_property_values=False,
        debug=0,
        ignore_unsupported_datatypes=ignore_unsupported_datatypes,
    )
    assert list(world.inconsistent_classes()) == []


def test_ontology_is_consistent_under_hermit(
    ontology: Graph, measures: Graph, tmp_path: Path
) -> None:
    _hermit(ontology + measures, tmp_path)


def test_data_typed_as_mapped_is_consistent_under_hermit(
    ontology: Graph, measures: Graph, tmp_path: Path
) -> None:
    # xsd:date, xsd:gYearMonth and xsd:gYear are outside the OWL 2 datatype map: HermiT needs
    # ignore_unsupported_datatypes=True for data that uses them.
    data = Graph().parse(data=SAMPLE_DATA, format="turtle")
    _hermit(ontology + measures + data, tmp_path, ignore_unsupported_datatypes=True)


# rdflib's JSON-LD parser builds on its own deprecated ConjunctiveGraph.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_context_is_valid_and_agrees_with_the_ontology(ontology: Graph, measures: Graph) -> None:
    document = json.loads((ONTOLOGY_DIR / "context.jsonld").read_text(encoding="utf-8"))
    context = document["@context"]
    for prefix, namespace in [*ontology.namespaces(), *measures.namespaces()]:
        if prefix:
            assert context.get(prefix) == str(namespace), f"prefix {prefix}"
    prefixes = {k for k, v in context.items() if isinstance(v, str) and v.endswith(("#", "/"))}
    for term, definition in context.items():
        curie = definition["@id"] if isinstance(definition, dict) else definition
        if isinstance(curie, str) and not curie.startswith(("http", "@")):
            assert curie.split(":", 1)[0] in prefixes, f"{term} uses an undefined prefix"
    graph = ontology + measures
    text = graph.serialize(format="json-ld", context=document)
    assert isomorphic(Graph().parse(data=text, format="json-ld"), graph)


def test_oxigraph_still_keeps_integer_subtypes_as_xsd_integer() -> None:
    """Why oa:start and oa:end are xsd:integer (see the ontology): the store would rewrite
    Web Annotation's xsd:nonNegativeInteger. Once this fails, follow the range."""
    import pyoxigraph as ox

    offset = ox.Literal("5", datatype=ox.NamedNode(str(XSD.nonNegativeInteger)))
    held = ox.Store()
    start = ox.NamedNode("http://www.w3.org/ns/oa#start")
    held.add(ox.Quad(ox.NamedNode("https://example.org/s"), start, offset))
    assert [q.object.datatype.value for q in held] == [str(XSD.integer)]
