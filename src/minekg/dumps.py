"""Writing the dataset: TriG, N-Quads, Turtle and JSON-LD, byte-identical from build to build.

Determinism matters because users diff dumps to see what changed. rdflib's Turtle and TriG writers
sort subjects and predicates; N-Quads lines are sorted here; JSON-LD is re-ordered by ``@id`` and
written with sorted keys. Everything is written into a fresh folder beside ``out/`` and swapped in
only when all of it is written, so a failed build never leaves a half-written ``out/``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph

from minekg.vocab import PREFIXES


def _graph_with_prefixes(dataset: Dataset) -> Graph:
    """An empty graph bound to minekg's prefixes only (rdflib would add thirty of its own)."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in dataset.namespaces():
        if prefix in PREFIXES or prefix in ("mkgid", "mkgg"):
            graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def serialize_all(dataset: Dataset, context: dict[str, Any]) -> dict[str, bytes]:
    """Every dump as bytes, keyed by file name."""
    union = _graph_with_prefixes(dataset)
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    nquads = dataset.serialize(format="nquads", encoding="utf-8")
    return {
        "minekg.trig": _trig(dataset),
        "minekg.nq": b"".join(sorted(set(nquads.splitlines(keepends=True)))),
        "minekg.ttl": union.serialize(format="turtle", encoding="utf-8"),
        "minekg.jsonld": _canonical_jsonld(dataset, context),
    }


def _trig(dataset: Dataset) -> bytes:
    """TriG with the named graphs in IRI order (rdflib's writer orders them by hash)."""
    prefixes = _graph_with_prefixes(dataset)
    declared: set[str] = set()
    blocks = []
    for graph in sorted(dataset.graphs(), key=lambda g: str(g.identifier)):
        if len(graph) == 0:
            continue
        body = Graph(namespace_manager=prefixes.namespace_manager)
        for triple in graph:
            body.add(triple)
        lines = body.serialize(format="turtle").splitlines()
        declared.update(line for line in lines if line.startswith("@prefix"))
        statements = [line for line in lines if not line.startswith("@prefix")]
        indented = "\n".join(f"    {line}" if line else "" for line in statements).strip("\n")
        blocks.append(f"<{graph.identifier}> {{\n{indented}\n}}\n")
    header = "".join(f"{line}\n" for line in sorted(declared))
    return (header + "\n" + "\n".join(blocks)).encode("utf-8")


def _canonical_jsonld(dataset: Dataset, context: dict[str, Any]) -> bytes:
    text = dataset.serialize(format="json-ld", context=context, auto_compact=True)
    document = _sorted_json(json.loads(text))
    return (json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


def _sorted_json(value: Any) -> Any:
    """Sort every array by its members' ids (or content): minekg writes no ordered RDF lists."""
    if isinstance(value, dict):
        return {key: _sorted_json(item) for key, item in value.items()}
    if isinstance(value, list):
        items = [_sorted_json(item) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False))
    return value


def write_atomically(out_dir: Path, write: Callable[[Path], None]) -> None:
    """Let ``write`` fill a fresh folder, then swap it in place of ``out_dir``."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-new-", dir=out_dir.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; out/ is meant to be read and served
    try:
        write(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    previous = out_dir.with_name(f".{out_dir.name}-old")
    shutil.rmtree(previous, ignore_errors=True)
    if out_dir.exists():
        os.replace(out_dir, previous)
    os.replace(staging, out_dir)
    shutil.rmtree(previous, ignore_errors=True)
