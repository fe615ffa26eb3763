"""Namespaces and the IRI scheme.

Resource IRIs are ``<base>id/<kind>/<key>`` with keys derived from the thing (a UN symbol, an ISO
code, a rule number, a reviewed key), never from a counter, so they survive rebuilds and can be
linked to from outside. Named graphs are ``<base>graph/<document key>``. The base is configurable;
the vocabulary namespaces (``mkg:``, ``measure:``) are not, because they name the ontology itself.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

DEFAULT_BASE = "https://w3id.org/minekg/"

MKG = Namespace("https://w3id.org/minekg/ontology#")
MEASURE = Namespace("https://w3id.org/minekg/measure/")
SCHEMA = Namespace("https://schema.org/")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
CITO = Namespace("http://purl.org/spar/cito/")
OA = Namespace("http://www.w3.org/ns/oa#")
QB = Namespace("http://purl.org/linked-data/cube#")
SDMX_DIMENSION = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
SDMX_MEASURE = Namespace("http://purl.org/linked-data/sdmx/2009/measure#")
SDMX_ATTRIBUTE = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
UNIT = Namespace("http://qudt.org/vocab/unit/")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
WD = Namespace("http://www.wikidata.org/entity/")
CURRENCY = Namespace("http://qudt.org/vocab/currency/")
VANN = Namespace("http://purl.org/vocab/vann/")

PREFIXES = {
    "mkg": MKG,
    "measure": MEASURE,
    "schema": SCHEMA,
    "sem": SEM,
    "cito": CITO,
    "oa": OA,
    "qb": QB,
    "sdmx-dimension": SDMX_DIMENSION,
    "sdmx-measure": SDMX_MEASURE,
    "sdmx-attribute": SDMX_ATTRIBUTE,
    "unit": UNIT,
    "geo": GEO,
    "wd": WD,
    "dct": DCTERMS,
    "foaf": FOAF,
    "org": ORG,
    "owl": OWL,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "skos": SKOS,
    "time": TIME,
    "xsd": XSD,
    "currency": CURRENCY,
    "vann": VANN,
}

# The IRI path segment for each reference section, and for instruments by their type.
SECTION_PATH = {
    "states": "state",
    "organizations": "organization",
    "persons": "person",
    "posts": "post",
    "places": "place",
    "events": "event",
}
INSTRUMENT_PATH = {
    "treaty": "treaty",
    "protocol": "treaty",
    "charter": "treaty",
    "resolution": "resolution",
    "standard": "standard",
    "agreement": "agreement",
    "statement": "agreement",
    "body_of_law": "law",
}


def slug(text: str) -> str:
    """A readable IRI key from a title: ASCII, lower case, words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-")


@dataclass(frozen=True)
class IRIs:
    """Mints every IRI minekg publishes, under one base."""

    base: str = DEFAULT_BASE

    def _iri(self, *segments: str) -> URIRef:
        return URIRef(self.base + "/".join(segments))

    def graph(self, key: str) -> URIRef:
        return self._iri("graph", key)

    def document(self, key: str, part: str | None = None) -> URIRef:
        return self._iri("id", "document", key, part) if part else self._iri("id", "document", key)

    def kind(self, path: str, key: str) -> URIRef:
        return self._iri("id", path, key)

    def evidence(self, doc: str, start: int, end: int) -> URIRef:
        return self._iri("id", "evidence", doc, f"{start}-{end}")

    def item(self, path: str, doc: str, key: str) -> URIRef:
        """A node that exists only in one document's graph: a claim, a figure, a citation."""
        return self._iri("id", path, doc, key)


def expand(value: str, base: str, under: str = "id/") -> str:
    """The IRI a short form stands for, as a person types it on the command line.

    ``state/aze`` is ``<base>id/state/aze``; with ``under="id/document/"``, ``A-79-690`` is
    ``<base>id/document/A-79-690``; ``mkg:Claim`` and ``measure:area_cleared_ha`` name terms of
    the vocabulary (whatever the base); a full IRI is taken as it is.
    """
    value = value.strip()
    if "://" in value or value.startswith("urn:"):
        return value
    for prefix in ("mkg", "measure"):
        if value.startswith(prefix + ":"):
            return str(PREFIXES[prefix]) + value.removeprefix(prefix + ":")
    return base + under + value.strip("/")


def shorten(iri: str, base: str | None) -> str:
    """An IRI as a person reads it: ``state/aze``, ``graph/A-79-690``, ``mkg:Claim``.

    The inverse of :func:`expand`; an IRI from elsewhere stays whole.
    """
    for prefix in ("mkg", "measure"):
        if iri.startswith(str(PREFIXES[prefix])):
            return f"{prefix}:{iri.removeprefix(str(PREFIXES[prefix]))}"
    if base is not None:
        for namespace in (base + "id/", base):
            if iri.startswith(namespace):
                return iri.removeprefix(namespace)
    return iri
