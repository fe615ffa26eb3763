"""Reading ``data/``: reference data and records (reviewed or draft), checked against each other.

This is the edge where files become models. Everything a person can get wrong in a YAML file is
caught here, with the file, line and field: malformed YAML, a duplicate key, an invalid date, an
unknown entity key, two items that would become one node, a quote that is not where the record
says it is in its source. A bad entry is reported and left out; the others still load, so one
run reports every problem.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from minekg import yamlio
from minekg.errors import InputError, InputErrors, SetupError
from minekg.records import Evidence, Record
from minekg.reference import SECTIONS

Reader = Callable[[Path], tuple[Any, yaml.Node | None]]
KEYED_SECTIONS = ("states", "organizations", "persons", "posts", "places", "instruments", "events")


@dataclass(frozen=True)
class Origin:
    """Where an entry was written, so a later check can point at its line."""

    path: Path
    node: yaml.Node | None
    loc: tuple[Any, ...]


@dataclass(frozen=True)
class Reference:
    """All reference entries by section, and every entity key with the section it belongs to."""

    sections: dict[str, list[Any]]
    section_of: dict[str, str]
    files: list[Path] = field(default_factory=list)

    def get(self, key: str) -> Any:
        section = self.section_of[key]
        return next(e for e in self.sections[section] if e.key == key)


@dataclass(frozen=True)
class LoadedRecord:
    record: Record
    path: Path
    tree: yaml.Node | None  # None when the record's data came from the build's cache
    digest: str

    @property
    def node(self) -> yaml.Node | None:
        """The record's YAML tree, which only an error needs (for its line): composed again
        when the data came from the cache."""
        return self.tree if self.tree is not None else yamlio.load(self.path)[1]


def reference_data(directory: Path) -> Reference:
    """The reference data a command reads to name entities (extract, ingest, eval).

    Without it such a command cannot run at all, so its problems end it with exit code 2.
    """
    if not directory.is_dir():
        raise SetupError(f"{directory}: no such folder of reference data")
    try:
        return load_reference(directory)
    except InputErrors as exc:
        summary = f"{directory}: reference data has {len(exc.errors)} problem(s)"
        failed = InputErrors(exc.errors, summary)
        failed.exit_code = SetupError.exit_code
        raise failed from None


def load_reference(directory: Path) -> Reference:
    """Load every ``*.yaml`` under ``directory``; all problems are reported together."""
    sections: dict[str, list[Any]] = {name: [] for name in SECTIONS}
    section_of: dict[str, str] = {}
    origins: dict[int, Origin] = {}
    defined_at: dict[tuple[str, str], str] = {}
    errors: list[InputError] = []
    files = sorted(directory.glob("*.yaml"))
    errors += _misnamed(directory)
    for path in files:
        for section, index, raw, node, error in _entries(path):
            if error is not None:
                errors.append(error)
                continue
            loc = (section, index)
            try:
                entry: Any = yamlio.validate(SECTIONS[section], raw, path, node, loc)
            except InputError as exc:
                errors.append(exc)
                # Keep its key known, so the records that use it do not each report it too.
                if section in KEYED_SECTIONS and isinstance(raw, dict) and "key" in raw:
                    section_of.setdefault(str(raw["key"]), section)
                continue
            scope = "entity" if section in KEYED_SECTIONS else section
            if (scope, entry.key) in defined_at:
                problem = f"key {entry.key!r} is already defined at {defined_at[scope, entry.key]}"
                errors.append(yamlio.error_at(path, node, (*loc, "key"), problem))
                continue
            defined_at[scope, entry.key] = f"{path.name}:{yamlio.line_of(node, loc)}"
            if section in KEYED_SECTIONS:
                section_of[entry.key] = section
            sections[section].append(entry)
            origins[id(entry)] = Origin(path, node, loc)
    reference = Reference(sections, section_of, files)
    for entries in sections.values():
        for entry in entries:
            origin = origins[id(entry)]
            for name, key in _entry_refs(entry):
                if key not in section_of:
                    loc = (*origin.loc, name.split(".")[0])
                    errors.append(
                        yamlio.error_at(
                            origin.path, origin.node, loc, f"unknown entity key {key!r}"
                        )
                    )
    if errors:
        raise InputErrors(errors)
    return reference


def _entries(path: Path) -> Iterator[tuple[str, int, Any, yaml.Node | None, InputError | None]]:
    """Each raw entry of a reference file, or the error that keeps a file or section out."""
    try:
        data, node = yamlio.load(path)
    except InputError as exc:
        yield "", 0, None, None, exc
        return
    if not isinstance(data, dict):
        yield (
            "",
            0,
            None,
            node,
            InputError(path, 1, None, "a reference file maps sections to lists"),
        )
        return
    for section, entries in data.items():
        if section not in SECTIONS:
            problem = f"unknown section (known: {', '.join(SECTIONS)})"
            yield section, 0, None, node, yamlio.error_at(path, node, (section,), problem)
        elif not isinstance(entries, list):
            problem = "expected a list of entries"
            yield section, 0, None, node, yamlio.error_at(path, node, (section,), problem)
        else:
            for index, raw in enumerate(entries):
                yield section, index, raw, node, None


def _entry_refs(entry: BaseModel) -> Iterator[tuple[str, str]]:
    """The entity keys one reference entry points at, with the field that holds each."""
    for name in (
        "part_of",
        "country",
        "nationality",
        "post_in",
        "within",
        "passed_by",
        "adopted_at",
        "protocol_to",
        "state",
        "treaty",
        "original",
        "resulting",
    ):
        value = getattr(entry, name, None)
        if value:
            yield name, value
    for name in ("parties", "places"):
        for value in getattr(entry, name, []):
            yield name, value
    for tenure in getattr(entry, "posts", []):
        yield "posts.post", tenure.post


def _misnamed(directory: Path) -> list[InputError]:
    """A ``.yml`` file would be silently skipped: say so instead."""
    return [
        InputError(path, None, None, "rename to .yaml: only *.yaml files are read")
        for path in sorted(directory.glob("*.yml"))
    ]


def load_records(
    directory: Path, reference: Reference, read: Reader = yamlio.load
) -> tuple[list[LoadedRecord], list[InputError]]:
    """Load every record; a bad record is reported and left out, the others still load.

    ``read`` parses a file; the build's reads from its cache (``tasks.yaml_reader``)."""
    paths = sorted(directory.glob("*.yaml"))
    errors = _misnamed(directory)
    if not paths:
        errors.append(InputError(directory, None, None, "no records (*.yaml) to build"))
    loaded: list[LoadedRecord] = []
    keys = {p.stem for p in paths}
    for path in paths:
        try:
            loaded.append(load_record(path, reference, keys, read))
        except InputError as exc:
            errors.append(exc)
    return loaded, errors


def load_record(
    path: Path, reference: Reference, record_keys: set[str], read: Reader = yamlio.load
) -> LoadedRecord:
    """One record, validated and checked against the reference data and the other records."""
    data, node = read(path)
    try:
        return _checked(path, data, node, reference, record_keys)
    except InputError:
        if node is not None:
            raise
        return _checked(path, *yamlio.load(path), reference, record_keys)  # the error's line


def _checked(
    path: Path, data: Any, node: yaml.Node | None, reference: Reference, record_keys: set[str]
) -> LoadedRecord:
    record = yamlio.validate(Record, data, path, node)
    if record.key != path.stem:
        problem = f"key {record.key!r} must match the file name {path.stem!r}"
        raise yamlio.error_at(path, node, ("key",), problem)
    event_keys = {event.key for event in record.events}
    proposed = _proposed_keys(record, reference, path, node)
    for loc, key in record_refs(record):
        if (
            key not in reference.section_of
            and key not in proposed
            and not (loc[-1] == "part_of" and key in event_keys)
        ):
            raise yamlio.error_at(path, node, loc, f"unknown entity key {key!r}")
    for loc, key in _document_refs(record):
        if key not in record_keys:
            raise yamlio.error_at(path, node, loc, f"no record with key {key!r}")
    parts = {part.key for part in record.document.parts}
    for loc, evidence in record.evidence():
        if evidence.part is not None and evidence.part not in parts:
            problem = f"no part {evidence.part!r} in this document"
            raise yamlio.error_at(path, node, (*loc, "part"), problem)
    _reject_merged_nodes(record, path, node)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return LoadedRecord(record, path, node, digest)


def _proposed_keys(
    record: Record, reference: Reference, path: Path, node: yaml.Node | None
) -> set[str]:
    """Keys of the entities the record proposes: each new, each once.

    A proposed entity's key becomes its IRI (``id/<kind>/<key>``), as a reference entity's does,
    so a key the reference data already uses would name two things with one key.
    """
    keys: dict[str, int] = {}
    for index, entity in enumerate(record.proposed):
        if entity.key in reference.section_of:
            section = reference.section_of[entity.key]
            problem = f"{entity.key!r} is already in data/reference ({section}): refer to it"
            raise yamlio.error_at(path, node, ("proposed", index, "key"), problem)
        if entity.key in keys:
            problem = f"key {entity.key!r} is already proposed at proposed.{keys[entity.key]}"
            raise yamlio.error_at(path, node, ("proposed", index, "key"), problem)
        keys[entity.key] = index
    return set(keys)


def node_key(name: str, item: Any) -> str:
    """What identifies an item's node within its document (see the IRIs minted in mapping)."""
    return {
        "claims": lambda: f"{item.at}",
        "figures": lambda: f"{item.measure}-{item.at}",
        "citations": lambda: f"{item.at}",
        "mentions": lambda: f"{item.entity}-{item.at}",
        "events": lambda: item.key,
    }[name]()


def _reject_merged_nodes(record: Record, path: Path, node: yaml.Node | None) -> None:
    """Two items that would mint the same IRI would silently merge into one node."""
    for name in ("claims", "figures", "citations", "mentions", "events"):
        seen: dict[str, int] = {}
        for index, item in enumerate(getattr(record, name)):
            key = node_key(name, item)
            if key in seen:
                problem = (
                    f"same {'key' if name == 'events' else 'offset'} as {name}.{seen[key]}: "
                    "the two would merge into one node; give each its own quote"
                )
                raise yamlio.error_at(path, node, (name, index), problem)
            seen[key] = index


def record_refs(record: Record) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Every entity key a record uses, with its location in the file."""
    doc = record.document
    for name in ("author", "author_post", "author_org", "publisher", "addressee"):
        if getattr(doc, name):
            yield ("document", name), getattr(doc, name)
    for index, key in enumerate(doc.circulated_in):
        yield ("document", "circulated_in", index), key
    for p, part in enumerate(doc.parts):
        for name in ("author", "author_post", "author_org", "addressee", "place"):
            if getattr(part, name):
                yield ("document", "parts", p, name), getattr(part, name)
    for i, citation in enumerate(record.citations):
        if citation.entity:
            yield ("citations", i, "entity"), citation.entity
    for i, mention in enumerate(record.mentions):
        yield ("mentions", i, "entity"), mention.entity
    for i, event in enumerate(record.events):
        for name in ("places", "organizers", "participants", "parties", "actors"):
            for j, key in enumerate(getattr(event, name)):
                yield ("events", i, name, j), key
        for name in ("initiator", "host", "body", "instrument", "part_of"):
            if getattr(event, name):
                yield ("events", i, name), getattr(event, name)
    for i, claim in enumerate(record.claims):
        yield ("claims", i, "claimant"), claim.claimant
        for name in ("accused", "invokes"):
            for j, key in enumerate(getattr(claim, name)):
                yield ("claims", i, name, j), key
    for i, figure in enumerate(record.figures):
        for j, key in enumerate(figure.places):
            yield ("figures", i, "places", j), key
        if figure.recorded_by:
            yield ("figures", i, "recorded_by"), figure.recorded_by


def _document_refs(record: Record) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Keys of other records' documents that a record points at."""
    for i, related in enumerate(record.related):
        yield ("related", i, "document"), related.document
    for i, citation in enumerate(record.citations):
        if citation.document:
            yield ("citations", i, "document"), citation.document
    for i, identified in enumerate(record.document.identified_symbols):
        yield ("document", "identified_symbols", i, "established_by"), identified.established_by


def check_sources(item: LoadedRecord, sources: Path) -> list[InputError]:
    """Every quote must stand, exactly, at its offset in the source file the record names."""
    record, path, node = item.record, item.path, item.node
    source = sources / record.source.file
    if not source.is_file():
        return [yamlio.error_at(path, node, ("source", "file"), f"no file {source}")]
    raw = source.read_bytes()
    if hashlib.sha256(raw).hexdigest() != record.source.sha256:
        problem = f"{source} has changed since the record was read from it"
        return [yamlio.error_at(path, node, ("source", "sha256"), problem)]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problem = f"{source} is not UTF-8 text (byte {exc.start}): convert it to UTF-8 first"
        return [yamlio.error_at(path, node, ("source", "file"), problem)]
    misquoted = [
        _misquoted(item, loc, evidence, text)
        for loc, evidence in record.evidence()
        if text[evidence.at : evidence.end_offset] != evidence.quote
    ]
    return misquoted + _misread_figures(item)


NUMBER = re.compile(r"(?<![\d.,])\d{1,3}(?:[,\u00a0\u202f ]\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?")
SCALE = re.compile(r"\s*(thousand|million|billion|mln|bn)\b", re.IGNORECASE)
SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "mln": 10**6, "bn": 10**9}
SPELLED = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|twenty|thirty"
    r"|forty|fifty|sixty|seventy|eighty|ninety|hundred|dozens?|half|third|quarter|fourth|fifth"
    r"|decades?)\b",
    re.IGNORECASE,
)


def _misread_figures(item: LoadedRecord) -> list[InputError]:
    """A figure's value must be a number its quote prints, as printed or with its scale word
    ("1.5 million"), once the quote is known to be the source's: a value typed wrong (30 read
    as 3.75) is otherwise a fact the graph states with a true quote beside it. A quote that
    spells a number out ("three annual conferences since 2022", "almost half") is left to the
    reviewer."""
    errors = []
    for index, figure in enumerate(item.record.figures):
        printed = _numbers(figure.quote)
        spelled = SPELLED.search(figure.quote)
        if figure.value is not None and printed and not spelled and figure.value not in printed:
            shown = ", ".join(f"{n:f}" for n in sorted(printed)[:5])
            problem = f"{figure.value} is not a number the quote prints ({shown})"
            errors.append(
                yamlio.error_at(item.path, item.node, ("figures", index, "value"), problem)
            )
    return errors


def _numbers(quote: str) -> set[Decimal]:
    """Each number in the text, read with "," or a space as thousands separator or "," as a
    decimal comma ("1,5 million"), and scaled by the word after it."""
    found: set[Decimal] = set()
    for match in NUMBER.finditer(quote):
        digits = match[0]
        readings = {re.sub(r"[,\u00a0\u202f ]", "", digits)}
        if re.fullmatch(r"\d+,(?:\d{1,2}|\d{4,})", digits):
            readings.add(digits.replace(",", "."))
        scale = SCALE.match(quote, match.end())
        for reading in readings:
            found.add(Decimal(reading))
            if scale:
                found.add(Decimal(reading) * SCALES[scale[1].lower()])
    return found


def _misquoted(
    item: LoadedRecord, loc: tuple[Any, ...], evidence: Evidence, text: str
) -> InputError:
    actual = text.find(evidence.quote)
    hint = f"it is at {actual}" if actual >= 0 else "it is not in the source at all"
    problem = f"quote is not at offset {evidence.at} of {item.record.source.file} ({hint})"
    return yamlio.error_at(item.path, item.node, (*loc, "quote"), problem)
