"""Reading ``data/``: reference data and reviewed records, checked against each other.

This is the edge where files become models. Everything a person can get wrong in a YAML file is
caught here, with the file, line and field: malformed YAML, a duplicate key, an invalid date, an
unknown entity key, a quote that is not where the record says it is in its source.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from minekg import yamlio
from minekg.errors import InputError, InputErrors
from minekg.records import Record
from minekg.reference import SECTIONS

KEYED_SECTIONS = ("states", "organizations", "persons", "posts", "places", "instruments", "events")


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
    node: yaml.Node | None
    digest: str


def load_reference(directory: Path) -> Reference:
    """Load every ``*.yaml`` under ``directory``; all problems are reported together."""
    sections: dict[str, list[Any]] = {name: [] for name in SECTIONS}
    section_of: dict[str, str] = {}
    defined_at: dict[tuple[str, str], str] = {}
    errors: list[InputError] = []
    files = sorted(directory.glob("*.yaml"))
    for path in files:
        try:
            data, node = yamlio.load(path)
            if not isinstance(data, dict):
                raise InputError(path, 1, None, "a reference file maps section names to lists")
            for section, entries in data.items():
                if section not in SECTIONS:
                    known = ", ".join(SECTIONS)
                    raise yamlio.error_at(
                        path, node, (section,), f"unknown section (known: {known})"
                    )
                if not isinstance(entries, list):
                    raise yamlio.error_at(path, node, (section,), "expected a list of entries")
                for index, raw in enumerate(entries):
                    loc = (section, index)
                    entry = yamlio.validate(SECTIONS[section], raw, path, node, loc)
                    key = entry.key  # type: ignore[attr-defined]
                    scope = "entity" if section in KEYED_SECTIONS else section
                    where = f"{path.name}:{yamlio.line_of(node, loc)}"
                    if (scope, key) in defined_at:
                        errors.append(
                            yamlio.error_at(
                                path,
                                node,
                                (*loc, "key"),
                                f"key {key!r} is already defined at {defined_at[scope, key]}",
                            )
                        )
                        continue
                    defined_at[scope, key] = where
                    if section in KEYED_SECTIONS:
                        section_of[key] = section
                    sections[section].append(entry)
        except InputError as exc:
            errors.append(exc)
    reference = Reference(sections, section_of, files)
    errors += _reference_links(reference, files)
    if errors:
        raise InputErrors(errors)
    return reference


def _reference_links(reference: Reference, files: list[Path]) -> list[InputError]:
    """Keys that reference entries use to point at each other must exist."""
    where = files[0].parent if files else Path("data/reference")
    problems = []
    for section, entries in reference.sections.items():
        for entry in entries:
            for name, key in _entry_refs(entry):
                if key not in reference.section_of:
                    problems.append(
                        InputError(
                            where,
                            None,
                            f"{section}.{_key_of(entry)}.{name}",
                            f"unknown entity key {key!r}",
                        )
                    )
    return problems


def _key_of(entry: BaseModel) -> str:
    return str(getattr(entry, "key", ""))


def _entry_refs(entry: BaseModel) -> Iterator[tuple[str, str]]:
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


def load_records(
    directory: Path, reference: Reference
) -> tuple[list[LoadedRecord], list[InputError]]:
    """Load every record; a bad record is reported and left out, the others still load."""
    loaded: list[LoadedRecord] = []
    errors: list[InputError] = []
    paths = sorted(directory.glob("*.yaml"))
    for path in paths:
        try:
            loaded.append(load_record(path, reference))
        except InputError as exc:
            errors.append(exc)
    keys = {path.stem for path in paths}
    for item in loaded:
        for index, related in enumerate(item.record.related):
            if related.document not in keys:
                errors.append(
                    yamlio.error_at(
                        item.path,
                        item.node,
                        ("related", index, "document"),
                        f"no record with key {related.document!r}",
                    )
                )
    bad = {e.file for e in errors}
    return [item for item in loaded if str(item.path) not in bad], errors


def load_record(path: Path, reference: Reference) -> LoadedRecord:
    data, node = yamlio.load(path)
    record = yamlio.validate(Record, data, path, node)
    if record.key != path.stem:
        raise yamlio.error_at(
            path, node, ("key",), f"key {record.key!r} must match the file name {path.stem!r}"
        )
    event_keys = {event.key for event in record.events}
    for loc, key in record_refs(record):
        if key not in reference.section_of and not (loc[-1] in EVENT_REFS and key in event_keys):
            raise yamlio.error_at(path, node, loc, f"unknown entity key {key!r}")
    parts = {part.key for part in record.document.parts}
    for loc_name, evidence in record.evidence():
        if evidence.part is not None and evidence.part not in parts:
            loc = (*_split(loc_name), "part")
            raise yamlio.error_at(path, node, loc, f"no part {evidence.part!r} in this document")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return LoadedRecord(record, path, node, digest)


EVENT_REFS = ("part_of",)


def _split(dotted: str) -> tuple[Any, ...]:
    return tuple(int(s) if s.isdigit() else s for s in dotted.split("."))


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


def check_sources(item: LoadedRecord, sources: Path) -> list[InputError]:
    """Every quote must stand, exactly, at its offset in the source file the record names."""
    record, path, node = item.record, item.path, item.node
    source = sources / record.source.file
    if not source.is_file():
        return [yamlio.error_at(path, node, ("source", "file"), f"no file {source}")]
    raw = source.read_bytes()
    if hashlib.sha256(raw).hexdigest() != record.source.sha256:
        return [
            yamlio.error_at(
                path,
                node,
                ("source", "sha256"),
                f"{source} has changed since the record was read from it",
            )
        ]
    text = raw.decode("utf-8")
    problems = []
    for loc_name, evidence in record.evidence():
        found = text[evidence.at : evidence.end_offset]
        if found != evidence.quote:
            actual = text.find(evidence.quote)
            hint = f"it is at {actual}" if actual >= 0 else "it is not in the source at all"
            loc = (
                (*_split(loc_name), "quote")
                if loc_name != "document"
                else ("document", "evidence", "quote")
            )
            if loc_name.startswith("document.parts"):
                loc = (*_split(loc_name), "evidence", "quote")
            problems.append(
                yamlio.error_at(
                    path,
                    node,
                    loc,
                    f"quote is not at offset {evidence.at} of {record.source.file} ({hint})",
                )
            )
    return problems
