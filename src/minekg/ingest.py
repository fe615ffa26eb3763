"""From source files to what extraction found, and to draft records a reviewer can correct.

One file's problem never stops a call: every file is read and extracted on its own, and a bad
one becomes an :class:`Outcome` with a one-line error (``FILE: problem``) while the others go on.

Drafts are written to ``data/records/<key>.yaml`` under the key of the document's own UN symbol
(``A/79/690`` gives ``A-79-690``), else a slug of the file name. A record a person has reviewed
is never overwritten; a previous draft is replaced only when asked (``force``), because a
reviewer may have started correcting it.

Every readable document gets a draft, and every draft builds. What extraction could not
determine is written as an explicit unknown for the reviewer (``author_note``, ``date_note``,
names the reference data does not know as ``proposed`` entities), never a reason to write
nothing: ``minekg build`` reports a draft's gaps as warnings. What a record cannot hold at all
is left out of the draft item by item and named in the report: a figure of a measure
``ontology/measures.ttl`` does not define, an item the record model or the shapes refuse (a
negative count, two items at one offset). So the draft is valid by construction: it is checked
as ``minekg build`` checks a record (loading, known measures, SHACL shapes) and each item that
fails is dropped until none does. Writing is atomic (a temporary file renamed into place).
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ValidationError
from rdflib import Graph
from rdflib.namespace import SH

from minekg import checks, folders, mapping, reading, records, symbols
from minekg.errors import InputError, MinekgError
from minekg.inputs import LoadedRecord, Reference, load_record, node_key
from minekg.symbols import symbol_key
from minekg.vocab import DEFAULT_BASE, MKG, IRIs

Format = Literal["gold", "record", "json"]


@dataclass(frozen=True)
class Gate:
    """What ``minekg build`` checks a record against: reference data, measures and shapes."""

    reference: Reference
    vocabulary: mapping.Vocabulary
    shapes: list[Path]
    symbol_pattern: str  # what the shapes accept as a UN symbol (mkgsh:UNSymbol-printed)

    @classmethod
    def load(cls, reference: Reference, ontology_dir: Path) -> Gate:
        try:
            vocabulary = mapping.load_vocabulary(ontology_dir)
            shapes = Graph().parse(ontology_dir / "shapes.ttl", format="turtle")
        except (OSError, SyntaxError) as exc:
            raise MinekgError(f"{ontology_dir}: cannot read the ontology: {exc}") from None
        printed = next(shapes.subjects(SH.path, MKG.unSymbol), None)
        pattern = shapes.value(printed, SH.pattern) if printed is not None else None
        return cls(reference, vocabulary, [ontology_dir / "shapes.ttl"], str(pattern or ".*"))

    def violations(self, draft: LoadedRecord, records_dir: Path) -> list[tuple[str, str]]:
        """The nodes of the draft the build would reject, each with the problem (checked with
        the records it points at); a draft's reviewer-only gaps are warnings, not here."""
        linked = [draft] + [
            load_record(records_dir / f"{key}.yaml", self.reference, {key})
            for key in _linked_documents(draft)
            if (records_dir / f"{key}.yaml").is_file()
        ]
        dataset = mapping.build_dataset(self.reference, linked, self.vocabulary, DEFAULT_BASE)
        verdict = checks.validate(dataset, self.shapes)
        return [
            (f.focus, f"{f.path + ': ' if f.path else ''}{f.message}")
            for f in verdict.findings
            if f.severity == "Violation" and f.document == draft.record.key
        ]


def _linked_documents(draft: LoadedRecord) -> set[str]:
    record = draft.record
    return (
        {related.document for related in record.related}
        | {c.document for c in record.citations if c.document}
        | {i.established_by for i in record.document.identified_symbols}
    ) - {record.key}


@dataclass(frozen=True)
class Outcome:
    """What became of one file: its output (or draft path), counts, or the problem."""

    path: Path
    key: str | None = None
    output: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    written: Path | None = None
    skipped: str | None = None
    error: str | None = None
    left_out: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.error is not None


def record_key(symbols: list[str], path: Path) -> str:
    """The document's first own UN symbol as a key, else a slug of the file name."""
    if symbols:
        return symbol_key(symbols[0])
    ascii_name = unicodedata.normalize("NFKD", path.stem).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9.]+", "-", ascii_name).strip("-.")
    return slug or "document"


def counts(record: dict[str, Any]) -> dict[str, int]:
    """How many of each kind of item a record holds, for the one-line summary."""
    citations = record.get("citations", [])
    document = record.get("document", {})
    return {
        "symbols": len(document.get("symbols", [])) + sum(1 for c in citations if c.get("symbol")),
        "rules": sum(1 for c in citations if c.get("rule") is not None),
        "entities": len({m["entity"] for m in record.get("mentions", [])}),
        "events": len(record.get("events", [])),
        "claims": len(record.get("claims", [])),
        "figures": len(record.get("figures", [])),
    }


def summary(outcome: Outcome) -> str:
    """One line per file: what was found and what was done with it."""
    found = ", ".join(f"{n} {name}" for name, n in outcome.counts.items())
    left_out = "".join(f"\n  left out of the draft: {item}" for item in outcome.left_out)
    if outcome.written:
        return f"{outcome.path}: {found}; draft written to {outcome.written}{left_out}"
    return f"{outcome.path}: {found}; {outcome.skipped}{left_out}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


NO_DATE_FOUND = "minekg extract found no date in the text: check the source and give one"
NO_AUTHOR_FOUND = records.NO_AUTHOR_FOUND
ITEM_MODELS: dict[str, type[BaseModel]] = {
    "related": records.Related,
    "citations": records.Citation,
    "mentions": records.Mention,
    "events": records.Event,
    "claims": records.Claim,
    "figures": records.Figure,
    "proposed": records.ProposedEntity,
}


def fit_for_build(record: dict[str, Any], measures: set[str]) -> tuple[dict[str, Any], list[str]]:
    """The draft without the items a record cannot hold, and a line on each thing left out.

    An unknown (no date, no author) is not left out: it gets a note saying so.
    """
    left_out = []
    fitted = dict(record)
    for name, model in ITEM_MODELS.items():
        kept = []
        for item in record.get(name, []):
            problem = _item_problem(name, item, model, measures)
            if problem:
                left_out.append(problem)
            else:
                kept.append(item)
        fitted[name] = kept
    document = dict(record["document"])
    if document.get("parts"):
        document["parts"] = [
            part
            if part.get("author") or part.get("author_text") or part.get("author_org")
            else {"author_note": NO_AUTHOR_FOUND, **part}
            for part in document["parts"]
        ]
    if not document.get("date") and not document.get("date_note"):
        document["date_note"] = NO_DATE_FOUND
    if not document.get("author") and not document.get("author_note"):
        document["author_note"] = NO_AUTHOR_FOUND
    fitted["document"] = document
    return fitted, left_out


def _item_problem(name: str, item: Any, model: type[BaseModel], measures: set[str]) -> str | None:
    what = _described(name, item)
    if name == "figures" and isinstance(item, dict) and item.get("measure") not in measures:
        return f"{what}: measure {item.get('measure')!r} is not in ontology/measures.ttl"
    try:
        model.model_validate(item)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"{what}: {where + ': ' if where else ''}{first['msg']}"
    return None


def _described(name: str, item: Any) -> str:
    """How the report names an item: its kind, its quote and its offset."""
    if not isinstance(item, dict):
        return name
    kind = {"figures": f"figure {item.get('value')}"}.get(name, name.rstrip("s"))
    quote = _one_line(str(item.get("quote") or item.get("label") or ""))[:60]
    at = f" (at {item['at']})" if "at" in item else ""
    return f'{kind} "{quote}"{at}'


Extractor = Callable[[reading.SourceText, Reference], Any]


def _extractor() -> Extractor:
    from minekg.extract import extract

    return extract


def extract_file(
    path: Path,
    reference: Reference,
    fmt: Format,
    max_bytes: int = reading.MAX_BYTES,
    extract: Extractor | None = None,
) -> Outcome:
    """Read and extract one file; the printable output in the requested format."""
    try:
        source = reading.read(path, max_bytes)
        extraction = (extract or _extractor())(source, reference)
        record = extraction.to_record(record_key(_own_symbols(extraction), path))
        if fmt == "gold":
            output = _yaml(extraction.to_gold())
        elif fmt == "record":
            output = _yaml(record)
        else:
            output = json.dumps(extraction.to_json(), ensure_ascii=False, sort_keys=True)
    except MinekgError as exc:
        return Outcome(path, error=str(exc))
    except Exception as exc:  # an extractor bug must not cost the user the other files
        return Outcome(path, error=f"{path}: extraction failed: {type(exc).__name__}: {exc}")
    return Outcome(path, key=record["key"], output=output, counts=counts(record))


def ingest_file(
    path: Path,
    gate: Gate,
    records_dir: Path,
    force: bool = False,
    max_bytes: int = reading.MAX_BYTES,
    extract: Extractor | None = None,
) -> Outcome:
    """Read, extract and write one draft record, unless that would overwrite a person's work."""
    try:
        source = reading.read(path, max_bytes)
        extraction = (extract or _extractor())(source, gate.reference)
        key = record_key(_own_symbols(extraction), path)
        record = extraction.to_record(key)
    except MinekgError as exc:
        return Outcome(path, error=str(exc))
    except Exception as exc:  # an extractor bug must not cost the user the other files
        return Outcome(path, error=f"{path}: extraction failed: {type(exc).__name__}: {exc}")
    record, left_out = fit_for_build(record, set(gate.vocabulary.units))
    found = counts(record)
    target = records_dir / f"{key}.yaml"
    status = _review_status(target)
    if status == "reviewed":
        skipped = f"not written: {target} is a reviewed record and is never overwritten"
        return Outcome(path, key, counts=found, skipped=skipped, left_out=left_out)
    if status is not None and not force:
        skipped = f"not written: a draft {target} exists (--force replaces it)"
        return Outcome(path, key, counts=found, skipped=skipped, left_out=left_out)
    try:
        record, dropped = _write_checked(record, target, gate)
    except MinekgError as exc:
        problem = f"{path}: draft {key} not written, the build would reject it: {exc}"
        return Outcome(path, key, counts=found, error=problem, left_out=left_out)
    written = counts(record)
    return Outcome(path, key, counts=written, written=target, left_out=left_out + dropped)


def _own_symbols(extraction: Any) -> list[str]:
    return list(extraction.to_gold().get("document", {}).get("symbols") or [])


def _review_status(target: Path) -> str | None:
    """``reviewed``, ``draft``, or None when there is no record; unreadable counts as reviewed."""
    if not target.exists():
        return None
    try:
        data = yaml.safe_load(target.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError):
        return "reviewed"
    return "draft" if isinstance(data, dict) and data.get("review") == "draft" else "reviewed"


def _write_checked(
    record: dict[str, Any], target: Path, gate: Gate
) -> tuple[dict[str, Any], list[str]]:
    """Write beside the target, check it as the build would, then move it into place.

    Each item the check refuses is dropped, and the draft checked again, until it passes; the
    draft written is returned with a line on each item dropped. Only a problem no item explains
    raises.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    keys = {p.stem for p in target.parent.glob("*.yaml")} | {target.stem}
    folders.clean_leftovers(target.parent, ".ingest-")  # what killed ingests left
    dropped: list[str] = []
    with folders.staging(target.parent, ".ingest-") as staging:
        staged = staging / target.name
        for _ in range(len(_items(record)) + 2):
            staged.write_text(_yaml(record), encoding="utf-8")
            try:
                draft = load_record(staged, gate.reference, keys)
            except InputError as exc:
                record = _without(record, item_at(exc.field), str(exc.problem), dropped, exc)
                continue
            violations = gate.violations(draft, target.parent)
            if not violations:
                os.replace(staged, target)
                return record, dropped
            nodes = item_nodes(draft, gate.reference)
            document = str(IRIs(DEFAULT_BASE).document(draft.record.key))
            for focus, problem in violations:
                if focus == document and problem.startswith(str(MKG.unSymbol)):
                    record = _without_symbols(record, gate.symbol_pattern, problem, dropped)
                elif focus not in nodes:
                    raise MinekgError(f"{problem} ({focus})")
            for focus, problem in violations:
                if focus in nodes:
                    record = _without(record, nodes[focus], problem, dropped)
        raise MinekgError("the draft still fails its checks after dropping every item they name")


def _without_symbols(
    record: dict[str, Any], pattern: str, problem: str, dropped: list[str]
) -> dict[str, Any]:
    """The draft without the own symbols the shapes refuse (as the build writes them)."""
    document = dict(record["document"])
    kept = []
    for symbol in document.get("symbols", []):
        if re.search(pattern, symbols.normalise(symbol)):
            kept.append(symbol)
        else:
            dropped.append(f'own symbol "{symbol}": {problem}')
    document["symbols"] = kept
    return {**record, "document": document}


def _items(record: dict[str, Any]) -> list[tuple[str, int]]:
    return [(name, i) for name in ITEM_MODELS for i in range(len(record.get(name, [])))]


def item_at(field_name: str | None) -> tuple[str, int] | None:
    """``claims.3.at`` → ("claims", 3): the item a loading error is about, if any."""
    parts = (field_name or "").split(".")
    if len(parts) >= 2 and parts[0] in ITEM_MODELS and parts[1].isdigit():
        return parts[0], int(parts[1])
    return None


def _without(
    record: dict[str, Any],
    item: tuple[str, int] | None,
    problem: str,
    dropped: list[str],
    error: InputError | None = None,
) -> dict[str, Any]:
    if item is None:
        raise MinekgError(str(error) if error else problem)
    name, index = item
    items = list(record[name])
    if index >= len(items):
        return record  # already dropped for another problem of the same node
    dropped.append(f"{_described(name, items[index])}: {problem}")
    del items[index]
    return {**record, name: items}


def item_nodes(draft: LoadedRecord, reference: Reference) -> dict[str, tuple[str, int]]:
    """The IRI the build mints for each item of a record, for its evidence span and for the
    document a citation names by a symbol only (the first citation of it)."""
    iris, record = IRIs(DEFAULT_BASE), draft.record
    refs = mapping.ReferenceIRIs(reference, [draft], iris)
    nodes: dict[str, tuple[str, int]] = {}
    for index, citation in enumerate(record.citations):
        if citation.symbol is not None:
            nodes.setdefault(str(refs.symbol(citation.symbol)), ("citations", index))
    for name, path in (
        ("claims", "claim"),
        ("figures", "figure"),
        ("citations", "citation"),
        ("mentions", "mention"),
    ):
        for index, item in enumerate(getattr(record, name)):
            nodes[str(iris.item(path, record.key, node_key(name, item)))] = (name, index)
            nodes[str(iris.evidence(record.key, item.at, item.end_offset))] = (name, index)
    for index, event in enumerate(record.events):
        nodes[str(iris.kind("event", f"{event.key}/in/{record.key}"))] = ("events", index)
    for index, entity in enumerate(record.proposed):
        nodes[str(iris.kind(entity.type, entity.key))] = ("proposed", index)
    return nodes


def _yaml(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
