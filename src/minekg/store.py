"""The query store: a built dataset loaded into Oxigraph for fast SPARQL.

Everything that reads the built graph (query, stats, show, publish, serve, push) opens it here, so
they all see the same statements. The store is filled from the N-Quads dump that ``minekg build``
writes, which keeps the build's dumps the one source of truth; Oxigraph loads it ten times faster
than rdflib and answers typical queries 40-70 times faster (see ``PITFALLS.md``).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from minekg.errors import MinekgError

DUMP = "minekg.nq"

FORMATS = {
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ttl": ox.RdfFormat.TURTLE,
    ".jsonld": ox.RdfFormat.JSON_LD,
}


def load(path: Path) -> ox.Store:
    """An in-memory store of a built ``out/`` folder or of one RDF file (.nq, .trig, .ttl, .nt).

    Triples from a triples-only format go to the default graph; named graphs stay named.
    """
    if not path.exists():
        hint = " (run `minekg build` first)" if path.name in ("out", DUMP) else ""
        raise MinekgError(f"{path}: no such file or folder{hint}")
    file = path / DUMP if path.is_dir() else path
    fmt = FORMATS.get(file.suffix)
    if fmt is None:
        raise MinekgError(f"{file}: not an RDF file minekg reads ({', '.join(FORMATS)})")
    if not file.is_file():
        hint = " (run `minekg build` first)" if file.name == DUMP else ""
        raise MinekgError(f"{file}: no such file{hint}")
    store = ox.Store()
    try:
        store.bulk_load(path=file, format=fmt)
    except (SyntaxError, ValueError) as exc:
        raise MinekgError(f"{file}: not valid {fmt.name}: {exc}") from exc
    return store


def of_nquads(payload: bytes) -> ox.Store:
    """An in-memory store of an N-Quads dump not yet written (the build's, for its graph page)."""
    store = ox.Store()
    store.bulk_load(input=payload, format=ox.RdfFormat.N_QUADS)
    return store
