"""One name for every resource: the same on the graph page, in ``minekg stats`` and on the site.

A resource is named by the first of these properties it has, best first; among several values of
that property, an English or untagged one before other languages, then the first in code-point
order, so the choice never depends on the order statements were read in:

    rdfs:label, skos:prefLabel, dct:title, schema:name, schema:text (a claim's words),
    oa:exact (an evidence span's quote)

An event that has no name of its own is named as a document's account of it is: the graph keeps
each document's telling of an event apart, and the event itself is only what they tell of.
"""

from __future__ import annotations

import pyoxigraph as ox

PREDICATES = (
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://purl.org/dc/terms/title",
    "https://schema.org/name",
    "https://schema.org/text",
    "http://www.w3.org/ns/oa#exact",
)
ACCOUNT_OF = ox.NamedNode("https://w3id.org/minekg/ontology#accountOf")


def labels(store: ox.Store) -> dict[str, str]:
    """The name of every IRI that has one, by the rule of this module."""
    best: dict[str, tuple[int, bool, str]] = {}
    for rank, predicate in enumerate(PREDICATES):
        for quad in store.quads_for_pattern(None, ox.NamedNode(predicate), None, None):
            subject, value = quad.subject, quad.object
            if not isinstance(subject, ox.NamedNode) or not isinstance(value, ox.Literal):
                continue
            if not value.value:
                continue
            candidate = (rank, value.language not in (None, "en"), value.value)
            if subject.value not in best or candidate < best[subject.value]:
                best[subject.value] = candidate
    names = {iri: value for iri, (_, _, value) in best.items()}
    told = sorted(
        (quad.object.value, names[quad.subject.value])
        for quad in store.quads_for_pattern(None, ACCOUNT_OF, None, None)
        if isinstance(quad.subject, ox.NamedNode)
        and isinstance(quad.object, ox.NamedNode)
        and quad.subject.value in names
    )
    for event, name in told:
        names.setdefault(event, name)
    return names
