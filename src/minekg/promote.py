"""Promotion: a reviewer takes an entity that drafts propose into the reference data.

Drafts name what the reference data does not know as ``proposed`` entities (a key, the kind,
the name as printed, a gazetteer identifier). ``promote(key)`` appends one entry for it to the
reference file of its section (text appended, so the curated file's comments stay) and rewrites
every draft that proposes it: the proposal is removed and, when the reviewer chooses another
key, every reference to the old key is renamed, in place (ruamel.yaml), so the draft's comments
and formatting stay. The entity keeps its IRI unless its key changes (``id/<kind>/<key>``, as for
every reference entity). Reviewed records are never touched.

Everything is checked before anything is written: the new reference data must load, and so
must every rewritten draft; then each file is replaced atomically.
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml.comments import CommentedSeq

from minekg import yamlio
from minekg.errors import MinekgError
from minekg.inputs import load_record, load_reference

SECTION = {
    "state": "states",
    "person": "persons",
    "organization": "organizations",
    "place": "places",
}
# The record fields whose values are entity keys (see minekg.inputs.record_refs).
ENTITY_FIELDS = frozenset(
    "author author_post author_org publisher addressee place entity claimant accused invokes"
    " places organizers participants parties actors initiator host body instrument recorded_by"
    " circulated_in".split()
)


@dataclass(frozen=True)
class Promoted:
    key: str
    reference_file: Path
    drafts: list[Path]


def promote(
    key: str,
    records_dir: Path,
    reference_dir: Path,
    new_key: str | None = None,
    details: dict[str, str | None] | None = None,
) -> Promoted:
    """Add the entity drafts propose under ``key`` to the reference data; rewrite the drafts.

    ``details`` are the fields a reviewer adds that extraction cannot know: ``type`` (the kind
    of an organization or place; the drafts' guess if not given), ``within`` (where a place
    lies), ``country``, ``nationality``; one given as None is not given.
    """
    target = new_key or key
    drafts = _drafts_proposing(key, records_dir)
    if not drafts:
        raise MinekgError(f"no draft in {records_dir} proposes an entity with key {key!r}")
    proposals = [next(e for e in data["proposed"] if e.get("key") == key) for _, data in drafts]
    given = {name: value for name, value in (details or {}).items() if value is not None}
    entry = _reference_entry(target, proposals, given)
    section = SECTION[proposals[0]["type"]]
    reference_file = _reference_file(reference_dir, section)
    rewritten = {path: _rewrite(path, key, target) for path, _ in drafts}
    with tempfile.TemporaryDirectory(prefix=".promote-", dir=reference_dir.parent) as scratch:
        staged_reference = Path(scratch) / "reference"
        staged_reference.mkdir()
        for path in reference_dir.glob("*.yaml"):
            (staged_reference / path.name).write_bytes(path.read_bytes())
        staged_file = staged_reference / reference_file.name
        before = staged_file.read_text(encoding="utf-8") if staged_file.exists() else ""
        staged_file.write_text(_appended(before, section, entry), encoding="utf-8")
        reference = load_reference(staged_reference)
        staged_records = Path(scratch) / "records"
        staged_records.mkdir()
        keys = {p.stem for p in records_dir.glob("*.yaml")}
        for path, data in rewritten.items():
            staged = staged_records / path.name
            staged.write_text(data, encoding="utf-8")
            load_record(staged, reference, keys)
        _replace(reference_file, staged_file.read_bytes())
        for path in rewritten:
            _replace(path, (staged_records / path.name).read_bytes())
    return Promoted(target, reference_file, [path for path, _ in drafts])


def _drafts_proposing(key: str, records_dir: Path) -> list[tuple[Path, dict[str, Any]]]:
    found = []
    for path in sorted(records_dir.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError):
            continue  # the build reports it; it cannot be rewritten safely
        if not isinstance(data, dict) or data.get("review") != "draft":
            continue
        if any(isinstance(e, dict) and e.get("key") == key for e in data.get("proposed") or []):
            found.append((path, data))
    return found


def _reference_entry(
    key: str, proposals: list[dict[str, Any]], details: dict[str, str]
) -> dict[str, Any]:
    """The reference entry: the first draft's name as label, other spellings as aliases."""
    first = proposals[0]
    kinds = {p["type"] for p in proposals}
    if len(kinds) > 1:
        raise MinekgError(f"drafts propose {key!r} as different kinds: {', '.join(sorted(kinds))}")
    kind = first["type"]
    labels = list(dict.fromkeys(p["label"] for p in proposals))
    entry: dict[str, Any] = {"key": key, "label": labels[0]}
    if labels[1:]:
        entry["aliases"] = labels[1:]
    identifiers = [p["identifier"] for p in proposals if p.get("identifier")]
    scheme, _, code = (identifiers[0] if identifiers else "").partition(":")
    if kind == "state":
        if scheme != "iso3166":
            raise MinekgError(f"{key}: a state needs its ISO 3166-1 code, and the drafts give none")
        entry["iso3166"] = code
    if kind in ("organization", "place"):
        guessed = next((p["kind"] for p in proposals if p.get("kind")), None)
        if "type" not in details and guessed is None:
            raise MinekgError(f"{key}: say what kind of {kind} it is (--type)")
        entry["type"] = details.get("type", guessed)
    if kind == "place":
        if "within" not in details:
            raise MinekgError(f"{key}: say which state or place it lies within (--within)")
        if scheme == "iso3166-2":
            entry["iso3166_2"] = code
    if scheme == "geonames":
        entry["source"] = f"https://sws.geonames.org/{code}/"
    for name in ("within", "country", "nationality"):
        if name in details:
            entry[name] = details[name]
    return entry


def _reference_file(reference_dir: Path, section: str) -> Path:
    """The reference file that holds the section (its last section, so text can be appended)."""
    for path in sorted(reference_dir.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and section in data:
            if list(data)[-1] != section:
                problem = f"{section} is not its last section; add the entry by hand"
                raise MinekgError(f"{path}: {problem}")
            return path
    return reference_dir / f"{section}.yaml"


def _appended(text: str, section: str, entry: dict[str, Any]) -> str:
    item = yaml.safe_dump([entry], sort_keys=False, allow_unicode=True, width=100)
    indented = "".join(f"  {line}\n" for line in item.splitlines())
    if not text.strip():
        return f"{section}:\n{indented}"
    return text.rstrip("\n") + "\n\n" + indented


def _rewrite(path: Path, old: str, new: str) -> str:
    """The draft's text without the proposal, its references renamed when the key changes."""
    rt = yamlio.round_trip()
    data = rt.load(path.read_text(encoding="utf-8"))
    proposed = [e for e in data.get("proposed") or [] if e.get("key") != old]
    if new != old:
        _rename(data, old, new)
    if proposed:
        data["proposed"] = CommentedSeq(proposed)
    else:
        data.pop("proposed", None)
    text = io.StringIO()
    rt.dump(data, text)
    return text.getvalue()


def _rename(value: Any, old: str, new: str, field: str | None = None) -> None:
    """Rename, in place, every reference to ``old`` under a field that names an entity."""
    if isinstance(value, dict):
        for name, item in value.items():
            if name in ENTITY_FIELDS and item == old:
                value[name] = new
            else:
                _rename(item, old, new, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if field in ENTITY_FIELDS and item == old:
                value[index] = new
            else:
                _rename(item, old, new, field)


def _replace(path: Path, payload: bytes) -> None:
    staged = path.with_name(f".{path.name}.promote")
    staged.write_bytes(payload)
    os.replace(staged, path)
