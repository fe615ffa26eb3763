"""From source files to what extraction found, and to draft records a reviewer can correct.

One file's problem never stops a call: every file is read and extracted on its own, and a bad
one becomes an :class:`Outcome` with a one-line error (``FILE: problem``) while the others go on.

Drafts are written to ``data/records/<key>.yaml`` under the key of the document's own UN symbol
(``A/79/690`` gives ``A-79-690``), else a slug of the file name. A record a person has reviewed
is never overwritten; a previous draft is replaced only when asked (``force``), because a
reviewer may have started correcting it. A draft is checked as ``minekg build`` checks a record
(loading, known measures, SHACL shapes) before it replaces anything: a draft the build would
reject is not written, so ingesting never breaks the build; its problems are reported instead.
Before that check, what extraction found but a record cannot hold yet is left out of the draft
and named in the report (a figure of a measure ``ontology/measures.ttl`` does not define, an
annex whose author was not found), and a document without a date found gets a date note saying
so: the reviewer gets a draft that builds, and a list of what to add by hand.
Writing is atomic (a temporary file renamed into place).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from minekg import checks, mapping, reading
from minekg.errors import InputError, MinekgError
from minekg.inputs import LoadedRecord, Reference, load_record
from minekg.symbols import symbol_key
from minekg.vocab import DEFAULT_BASE

Format = Literal["gold", "record", "json"]


@dataclass(frozen=True)
class Gate:
    """What ``minekg build`` checks a record against: reference data, measures and shapes."""

    reference: Reference
    vocabulary: mapping.Vocabulary
    shapes: list[Path]

    @classmethod
    def load(cls, reference: Reference, ontology_dir: Path) -> Gate:
        try:
            vocabulary = mapping.load_vocabulary(ontology_dir)
        except (OSError, SyntaxError) as exc:
            raise MinekgError(f"{ontology_dir}: cannot read the ontology: {exc}") from None
        return cls(reference, vocabulary, [ontology_dir / "shapes.ttl"])

    def problems(self, draft: LoadedRecord, records_dir: Path) -> list[str]:
        """What the build would reject in the draft (checked with the records it points at)."""
        known = self.vocabulary.units
        problems = [
            f"figures.{i}.measure: unknown measure {figure.measure!r} (not in measures.ttl)"
            for i, figure in enumerate(draft.record.figures)
            if figure.measure not in known
        ]
        if problems:
            return problems
        linked = [draft] + [
            load_record(records_dir / f"{key}.yaml", self.reference, {key})
            for key in _linked_documents(draft)
            if (records_dir / f"{key}.yaml").is_file()
        ]
        dataset = mapping.build_dataset(self.reference, linked, self.vocabulary, DEFAULT_BASE)
        verdict = checks.validate(dataset, self.shapes)
        return [
            f"{f.path + ': ' if f.path else ''}{f.message} ({f.focus})"
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


def fit_for_build(record: dict[str, Any], measures: set[str]) -> tuple[dict[str, Any], list[str]]:
    """The draft without what a record cannot hold yet, and a line on each thing left out."""
    left_out = []
    figures = []
    for figure in record.get("figures", []):
        if figure["measure"] in measures:
            figures.append(figure)
        else:
            left_out.append(
                f'figure {figure.get("value")} "{_one_line(figure["quote"])}" (at {figure["at"]}): '
                f"measure {figure['measure']!r} is not in ontology/measures.ttl"
            )
    document = dict(record["document"])
    parts = []
    for number, part in enumerate(document.get("parts", []), start=1):
        if part.get("author") or part.get("author_text") or part.get("author_org"):
            parts.append(part)
        else:
            quote = _one_line(part["evidence"]["quote"])
            left_out.append(f'annex {number} "{quote}": no author found')
    document["parts"] = parts
    if not document.get("date") and not document.get("date_note"):
        document["date_note"] = NO_DATE_FOUND
    return {**record, "document": document, "figures": figures}, left_out


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
        _write_checked(record, target, gate)
    except MinekgError as exc:
        problem = f"{path}: draft {key} not written, the build would reject it: {exc}"
        return Outcome(path, key, counts=found, error=problem, left_out=left_out)
    return Outcome(path, key, counts=found, written=target, left_out=left_out)


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


def _write_checked(record: dict[str, Any], target: Path, gate: Gate) -> None:
    """Write beside the target, check it as the build would, then move it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    keys = {p.stem for p in target.parent.glob("*.yaml")} | {target.stem}
    staging = Path(tempfile.mkdtemp(prefix=".ingest-", dir=target.parent))
    try:
        staged = staging / target.name
        staged.write_text(_yaml(record), encoding="utf-8")
        try:
            draft = load_record(staged, gate.reference, keys)
        except InputError as exc:
            where = f"line {exc.line}: " if exc.line else ""
            field_name = f"{exc.field}: " if exc.field else ""
            raise MinekgError(f"{where}{field_name}{exc.problem}") from None
        problems = gate.problems(draft, target.parent)
        if problems:
            raise MinekgError("; ".join(problems))
        os.replace(staged, target)
    finally:
        for leftover in staging.iterdir():
            leftover.unlink()
        staging.rmdir()


def _yaml(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
