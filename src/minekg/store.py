"""The query store: a built dataset loaded into Oxigraph for fast SPARQL.

Everything that reads the built graph (check, query, stats, show, publish, serve, push) opens it
here, so they all see the same statements under the same base. The store is filled from the
N-Quads dump that ``minekg build`` writes, which keeps the build's dumps the one source of truth;
Oxigraph loads it ten times faster than rdflib and answers typical queries 40-70 times faster
(see ``PITFALLS.md``). The base the graph was built under is read back from the graph itself (its
``graph/provenance`` graph), so a build made with ``--base`` is shown, queried and published under
that base without saying it again.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from minekg.errors import MinekgError

if TYPE_CHECKING:
    from rdflib import Dataset

DUMP = "minekg.nq"
STORE = "store"
PROVENANCE = "graph/provenance"


@dataclass(frozen=True)
class RdfFormat:
    """One RDF syntax as both engines name it."""

    oxigraph: ox.RdfFormat
    rdflib: str


# The RDF files minekg reads, by suffix: the one table for every command.
FORMATS = {
    ".nq": RdfFormat(ox.RdfFormat.N_QUADS, "nquads"),
    ".trig": RdfFormat(ox.RdfFormat.TRIG, "trig"),
    ".nt": RdfFormat(ox.RdfFormat.N_TRIPLES, "nt"),
    ".ttl": RdfFormat(ox.RdfFormat.TURTLE, "turtle"),
    ".jsonld": RdfFormat(ox.RdfFormat.JSON_LD, "json-ld"),
}


@dataclass(frozen=True)
class Built:
    """A built graph opened for reading, with the base its IRIs were minted under.

    ``base`` is None for an RDF file that minekg did not build (it has no provenance graph):
    such a file can be queried and shown, but short forms like ``state/aze`` need full IRIs.
    """

    store: ox.Store
    base: str | None
    path: Path


def rdf_file(path: Path) -> tuple[Path, RdfFormat]:
    """The RDF file a ``--graph`` value names (a built folder means its dump), and its format."""
    if not path.exists():
        raise MinekgError(f"{path}: no such file or folder{_hint(path)}")
    file = path / DUMP if path.is_dir() else path
    fmt = FORMATS.get(file.suffix)
    if fmt is None:
        raise MinekgError(f"{file}: not an RDF file minekg reads ({', '.join(FORMATS)})")
    if not file.is_file():
        raise MinekgError(f"{file}: no such file{_hint(file)}")
    return file, fmt


def _hint(path: Path) -> str:
    return " (run `minekg build` first)" if path.name in ("out", DUMP) else ""


def load(path: Path) -> ox.Store:
    """The store of a built ``out/`` folder, or an in-memory store of one RDF file.

    A build folder with a ``store/`` (every build writes one) is opened read-only where it is:
    no parsing, and any number of processes (serve's workers) share it. A folder without one,
    or an RDF file (.nq, .trig, .ttl, .nt), is loaded into memory; triples from a triples-only
    format go to the default graph, named graphs stay named.
    """
    if path.is_dir() and (path / STORE).is_dir():
        try:
            return ox.Store.read_only(str(path / STORE))
        except OSError as exc:
            raise MinekgError(f"{path / STORE}: cannot open the store: {exc}") from None
    file, fmt = rdf_file(path)
    store = ox.Store()
    try:
        store.bulk_load(path=file, format=fmt.oxigraph)
    except (SyntaxError, ValueError) as exc:
        raise MinekgError(f"{file}: not valid {fmt.oxigraph.name}: {exc}") from exc
    except OSError as exc:
        raise MinekgError(f"{file}: cannot read: {exc.strerror or exc}") from None
    return store


def open_graph(path: Path) -> Built:
    """The built graph at ``path`` (a built folder or one RDF file), with its base."""
    store = load(path)
    return Built(store, base_of(store), path)


def load_dataset(path: Path) -> Dataset:
    """The same graph as an rdflib Dataset, for the engines that need one (pyshacl, HermiT)."""
    from rdflib import Dataset

    file, fmt = rdf_file(path)
    dataset = Dataset()
    try:
        dataset.parse(file, format=fmt.rdflib)
    except OSError as exc:
        raise MinekgError(f"{file}: cannot read: {exc.strerror or exc}") from None
    except Exception as exc:  # rdflib raises many parser-specific types
        raise MinekgError(f"{file}: not valid {fmt.rdflib}: {exc}") from None
    return dataset


def base_of(store: ox.Store) -> str | None:
    """The base IRI a dataset was built with: the prefix of its ``graph/provenance`` graph."""
    for name in store.named_graphs():
        if isinstance(name, ox.NamedNode) and name.value.endswith(PROVENANCE):
            return name.value.removesuffix(PROVENANCE)
    return None


def write_store(folder: Path, nquads: bytes, last: Path | None = None) -> None:
    """The on-disk store of a build (``out/store/``), written with the dumps and swapped in
    with them; closed before the swap (pyoxigraph closes a store when it is dropped).

    ``last`` is the last build's folder: when it holds its store and the dump it was made from,
    the new store starts as Oxigraph's backup of that one (RocksDB's checkpoint: its table files
    are hard-linked, never copied) and takes only the difference between the two dumps. Loading
    1.1 million statements afresh took 14 s of every build of 1,000 documents, one record
    changed or none (issue 12). A difference of more than a tenth of the statements is loaded
    afresh: removing statements one by one is the slower way there.
    """
    if last is not None and _updated(folder, nquads, last):
        return
    shutil.rmtree(folder, ignore_errors=True)
    disk = ox.Store(str(folder))
    disk.bulk_load(input=nquads, format=ox.RdfFormat.N_QUADS)
    disk.optimize()
    del disk


def _updated(folder: Path, nquads: bytes, last: Path) -> bool:
    """The last build's store, backed up into ``folder`` and brought up to ``nquads``; False
    when there is none to start from or too much differs (the caller then loads afresh)."""
    try:
        before = set((last / DUMP).read_bytes().splitlines(True))
        after = set(nquads.splitlines(True))
        gone, new = before - after, after - before
        if len(gone) + len(new) > len(after) // 10 or not (last / STORE).is_dir():
            return False
        ox.Store.read_only(str(last / STORE)).backup(str(folder))
        disk = ox.Store(str(folder))
        for quad in ox.parse(b"".join(gone), format=ox.RdfFormat.N_QUADS):
            disk.remove(quad)
        disk.extend(ox.parse(b"".join(new), format=ox.RdfFormat.N_QUADS))
        disk.flush()
        del disk
        return True
    except (OSError, SyntaxError, ValueError):
        return False


def of_nquads(payload: bytes) -> ox.Store:
    """An in-memory store of an N-Quads dump not yet written (the build's, for its graph page)."""
    store = ox.Store()
    store.bulk_load(input=payload, format=ox.RdfFormat.N_QUADS)
    return store
