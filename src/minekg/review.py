"""Reviewing a draft in the browser: from ``review: draft`` to a reviewed record, no offsets typed.

``minekg review`` serves, on 127.0.0.1 only, a page per draft: the source text read with the
reader extraction used (so the offsets are the records' own), every item highlighted by kind, and
a list of the items to accept, reject or edit; a selection of the text becomes a new item whose
quote and offset the server takes from the reader's offset map. Proposed entities are promoted
into ``data/reference/`` with :func:`minekg.promote.promote`, as ``minekg promote`` does.

How decisions are kept in the YAML. A rejected item is removed: a reviewed record says what the
document states and nothing else, and git keeps what was removed. While some items are still
undecided, each accepted one carries ``review: accepted``, so a reviewer can save and come back;
once every item and every proposed entity is decided, the record becomes ``review: reviewed``
and those marks are dropped (every item of a reviewed record is accepted), so a reviewed record
reads as one written by hand. The YAML is edited in place with ruamel.yaml: comments, key order
and quoting of what did not change stay as they were.

Safe by design: the only writes are ``POST /api/records/KEY`` with the token the page was issued
with (403 without it), to ``data/records/KEY.yaml`` of a draft (KEY a record key, so no path) and,
by promotion, to ``data/reference/``; every save is checked as ``minekg build`` checks a record
(loading, the shapes with the records it points at, every quote against the source) before it
replaces the file atomically, and a refusal names the item at fault. The page loads nothing from
the network (its script and style are served by the server, and the Content-Security-Policy
allows nothing else), and requests naming another host are refused (DNS rebinding).
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import socket
import tempfile
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from markupsafe import escape
from pydantic import BaseModel
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from minekg import ingest, pages, reading, records, yamlio
from minekg.errors import InputError, MinekgError
from minekg.inputs import load_record, reference_data
from minekg.project import Project, shipped
from minekg.promote import ENTITY_FIELDS
from minekg.promote import promote as promote_entity
from minekg.reference import Organization, Place
from minekg.vocab import DEFAULT_BASE, IRIs

# The items a page highlights: a draft's, proposed entities aside (they have their own panel).
SECTIONS = {name: model for name, model in ingest.ITEM_MODELS.items() if name != "proposed"}
DECISIONS = (None, "accepted", "rejected")
# What a reviewer settles about the document itself (the lists and parts stay hand-edited).
DOCUMENT_FIELDS = (
    "type title date date_note distributed language author author_post author_org author_note"
    " publisher addressee".split()
)
TOKEN_HEADER = "x-review-token"
MAX_BODY = 5 * 2**20
ASSETS = {"review.js": "text/javascript", "review.css": "text/css"}
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
HEADERS = {"Content-Security-Policy": POLICY, "X-Content-Type-Options": "nosniff"}


class Refused(MinekgError):
    """A request the reviewer cannot grant: its HTTP status, the reason, the items at fault
    (on the command line, one ``error:`` line like any other)."""

    def __init__(self, status: int, message: str, problems: list[dict[str, str]] | None = None):
        super().__init__(message)
        self.status, self.message, self.problems = status, message, problems or []


def field_spec(model: type[BaseModel]) -> list[dict[str, Any]]:
    """The form of an item kind, read off its record model: each field with its input widget
    (and choices for a closed list), the quote and offset last, as ingest writes them."""
    spec = []
    for name, info in model.model_fields.items():
        if name == "review":
            continue  # the decision is the accept and reject buttons
        kind, args = typing.get_origin(info.annotation), typing.get_args(info.annotation)
        choices = next(
            (typing.get_args(a) for a in args if typing.get_origin(a) is typing.Literal), ()
        )
        text = repr(info.annotation)
        if kind is typing.Literal or choices:
            widget, choices = "choice", choices or args
        elif name in ENTITY_FIELDS:
            widget = "entities" if isinstance(info.default, list) else "entity"
        elif name == "measure":
            widget = "measure"
        elif info.annotation is bool:
            widget = "bool"
        elif name == "rules":
            widget = "ints"
        elif "int" in text and "Decimal" not in text:
            widget = "int"
        else:
            widget = "text"
        spec.append({"name": name, "widget": widget, "choices": list(choices)})
    last = ("quote", "at", "part")
    return [f for f in spec if f["name"] not in last] + [f for f in spec if f["name"] in last]


@dataclass
class Reviewer:
    """One project's drafts under review: where things are, the build's gate, the page token."""

    project: Project
    gate: ingest.Gate
    sources: Path | None = None
    token: str = dataclasses.field(default_factory=lambda: secrets.token_urlsafe(32))

    @classmethod
    def open(cls, project: Project, ontology: Path, sources: Path | None = None) -> Reviewer:
        gate = ingest.Gate.load(reference_data(project.reference), ontology)
        return cls(project, gate, sources)

    def drafts(self) -> list[str]:
        return sorted(p.stem for p in self.project.records.glob("*.yaml") if _is_draft(p))

    def record_path(self, key: str) -> Path:
        """The record file of a key; nothing else: a key is a name, never a path."""
        records_dir = self.project.records.resolve()
        path = records_dir / f"{key}.yaml"
        if not re.fullmatch(records.KEY_PATTERN, key) or path.resolve().parent != records_dir:
            raise Refused(400, f"{key!r} is not a record key")
        if not path.is_file():
            raise Refused(404, f"no record {key} in {records_dir}")
        return path

    def source_of(self, data: dict[str, Any]) -> reading.SourceText:
        """The source text, read as extraction read it, from --sources or the project folder."""
        name, sha256 = str(data["source"].get("file") or ""), data["source"].get("sha256")
        folder = (self.sources or self.project.root).resolve()
        path = (folder / name).resolve()
        if not name or not path.is_relative_to(folder):
            raise Refused(400, f"source file {name!r} is not inside {folder}")
        if not path.is_file():
            raise Refused(404, f"no source file {path}: give the folder with --sources DIR")
        try:
            source = reading.read(path)
        except InputError as exc:
            raise Refused(422, str(exc)) from None
        if source.sha256 != sha256:
            raise Refused(409, f"{path} is not the text the record was read from (sha256 differs)")
        return source

    def view(self, key: str) -> dict[str, Any]:
        """Everything the page shows: clean text, items with their spans in it, the choices."""
        path = self.record_path(key)
        data, _ = yamlio.load(path)
        source = self.source_of(data)
        first_clean = _first_clean(source)
        items = []
        for section in SECTIONS:
            for origin, item in enumerate(data.get(section) or []):
                fields = {k: v for k, v in item.items() if k != "review"}
                items.append(
                    {
                        "id": f"{section}/{origin}",
                        "section": section,
                        "origin": origin,
                        "decision": item.get("review"),
                        "fields": fields,
                        "span": _clean_span(first_clean, item["at"], len(item["quote"])),
                    }
                )
        reference = self.gate.reference
        entities = [
            {"key": key, "label": getattr(reference.get(key), "label", key), "section": section}
            for key, section in sorted(reference.section_of.items())
        ]
        proposed = data.get("proposed") or []
        entities += [
            {"key": e["key"], "label": e["label"], "section": "proposed"} for e in proposed
        ]
        return {
            "key": key,
            "review": data.get("review"),
            "title": (data.get("document") or {}).get("title") or key,
            "source": str(source.path),
            "digest": _digest(path),
            "text": source.text,
            "items": items,
            "proposed": proposed,
            "entities": entities,
            "measures": sorted(self.gate.vocabulary.units),
            "document": {k: v for k, v in data["document"].items() if k in DOCUMENT_FIELDS},
            "forms": {
                **{section: field_spec(model) for section, model in SECTIONS.items()},
                "document": [
                    f for f in field_spec(records.DocumentMeta) if f["name"] in DOCUMENT_FIELDS
                ],
            },
            "kinds": {
                kind: list(typing.get_args(model.model_fields["type"].annotation))
                for kind, model in (("organization", Organization), ("place", Place))
            },
        }

    def quote(self, key: str, start: int, end: int) -> dict[str, Any]:
        """The exact source text behind a selection of the clean text, and its offset ``at``."""
        data, _ = yamlio.load(self.record_path(key))
        source = self.source_of(data)
        text = source.text
        if not 0 <= start < end <= len(text):
            raise Refused(400, f"selection {start}-{end} is outside the text")
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        quote, at, _ = source.quote(start, end)
        if len(quote) < 2:
            raise Refused(400, "select at least two characters")
        clean = " ".join(text[start:end].split())
        return {"quote": quote, "at": at, "text": clean, "start": start, "end": end}

    def check_token(self, given: str | None) -> None:
        if not given or not hmac.compare_digest(given, self.token):
            raise Refused(403, "a write needs the token issued with the review page")

    def promote(self, key: str, body: dict[str, Any]) -> dict[str, Any]:
        """Promote an entity the draft proposes, as ``minekg promote`` does (which rewrites
        every draft proposing it), then name entities from the new reference data."""
        path = self.record_path(key)
        self._same_file(path, body)
        asked = body["promote"]
        if not isinstance(asked, dict):
            raise Refused(400, "promote: expected an object with the entity's key")
        entity = str(asked.get("key") or "")
        data, _ = yamlio.load(path)
        if entity not in {e.get("key") for e in data.get("proposed") or []}:
            raise Refused(422, f"{key} proposes no entity {entity!r}")
        details = {
            name: (str(asked[name]).strip() or None) if asked.get(name) else None
            for name in ("type", "within", "country", "nationality")
        }
        try:
            done = promote_entity(
                entity,
                self.project.records,
                self.project.reference,
                asked.get("as") or None,
                details,
            )
        except MinekgError as exc:
            raise Refused(422, str(exc)) from None
        self.gate = dataclasses.replace(self.gate, reference=reference_data(self.project.reference))
        label = self.gate.reference.get(done.key).label
        return {
            "digest": _digest(path),
            "key": done.key,
            "label": label,
            "was": entity,
            "file": str(done.reference_file.relative_to(self.project.root)),
        }

    def save(self, key: str, body: dict[str, Any]) -> dict[str, Any]:
        """Apply the page's decisions to the draft, check it as the build would, and write it."""
        path = self.record_path(key)
        self._same_file(path, body)
        plain, _ = yamlio.load(path)
        if plain.get("review") != "draft":
            raise Refused(409, f"{key} is a reviewed record: only drafts are edited here")
        doc = yamlio.round_trip().load(path.read_text(encoding="utf-8"))
        posted = _posted(body, plain)
        rejected_entities = body.get("rejected_entities") or []
        if not isinstance(rejected_entities, list) or not all(
            isinstance(k, str) for k in rejected_entities
        ):
            raise Refused(400, "rejected_entities: expected a list of entity keys")
        kept, ids = {}, {}
        for section in SECTIONS:
            kept[section], ids[section] = _decided(section, doc.get(section), plain, posted)
        proposals = [e for e in doc.get("proposed") or [] if e["key"] not in rejected_entities]
        nodes = [node for section in kept.values() for node, _ in section]
        undecided = sum(1 for node in nodes if node.get("review") != "accepted")
        reviewed = undecided == 0 and not proposals
        for node in nodes if reviewed else []:
            del node["review"]
        for section, kept_nodes in kept.items():
            if kept_nodes or section in doc:
                _replace_seq(doc, section, kept_nodes)
        if "proposed" in doc:
            if proposals:
                doc["proposed"] = CommentedSeq(proposals)
            else:
                del doc["proposed"]
        document = body.get("document")
        _edit(doc["document"], plain["document"], document, DOCUMENT_FIELDS, "document")
        doc["review"] = "reviewed" if reviewed else "draft"
        self._write_checked(path, doc, ids)
        left = f"{undecided} item(s) and {len(proposals)} proposed entity(ies) still to decide"
        return {
            "review": doc["review"],
            "digest": _digest(path),
            "message": f"saved {path.name}" + ("" if reviewed else f"; {left}"),
        }

    def _same_file(self, path: Path, body: dict[str, Any]) -> None:
        if body.get("digest") != _digest(path):
            raise Refused(409, f"{path.name} changed since the page was loaded: reload it")

    def _write_checked(self, path: Path, doc: Any, ids: dict[str, list[str]]) -> None:
        """Stage the record beside the target, check it as the build would, then move it."""
        records_dir = path.parent
        staging = Path(tempfile.mkdtemp(prefix=".review-", dir=records_dir))
        try:
            staged = staging / path.name
            with staged.open("w", encoding="utf-8") as stream:
                yamlio.round_trip().dump(doc, stream)
            problems = self._problems(staged, records_dir, ids)
            if problems:
                raise Refused(422, "not saved: the build would reject this record", problems)
            os.replace(staged, path)
        finally:
            shutil.rmtree(staging)

    def _problems(self, staged: Path, records_dir: Path, ids: dict[str, list[str]]) -> list[dict]:
        keys = {p.stem for p in records_dir.glob("*.yaml")}
        try:
            loaded = load_record(staged, self.gate.reference, keys)
        except InputError as exc:
            where = ingest.item_at(exc.field) or tuple((exc.field or "").split(".")[:1])
            return [_problem(ids, where, f"{exc.field}: {exc.problem}")]
        source = self.source_of({"source": loaded.record.source.model_dump()})
        problems = [
            _problem(ids, loc, f"the quote is not the source's text at {evidence.at}")
            for loc, evidence in loaded.record.evidence()
            if source.original[evidence.at : evidence.end_offset] != evidence.quote
        ]
        nodes: dict[str, tuple[Any, ...]] = {**ingest.item_nodes(loaded, self.gate.reference)}
        nodes[str(IRIs(DEFAULT_BASE).document(loaded.record.key))] = ("document",)
        for focus, problem in self.gate.violations(loaded, records_dir):
            problems.append(_problem(ids, nodes.get(focus), f"{problem} ({focus})"))
        return problems


def _problem(ids: dict[str, list[str]], item: tuple[Any, ...] | None, message: str) -> dict:
    """A refusal next to the item at fault (by the page's id), or for the record as a whole."""
    if item and item[0] == "document":
        return {"item": "document", "message": message}
    if item and item[0] in ids and int(item[1]) < len(ids[item[0]]):
        return {"item": ids[item[0]][int(item[1])], "message": message}
    return {"item": "", "message": message}


def _posted(body: dict[str, Any], plain: dict[str, Any]) -> dict[str, Any]:
    """The page's items by section: edits of the draft's by ``origin``, new ones in order."""
    items = body.get("items")
    if not isinstance(items, list):
        raise Refused(400, "items: expected a list of items")
    posted: dict[str, Any] = {section: {"edits": {}, "new": []} for section in SECTIONS}
    for n, item in enumerate(items):
        ok = isinstance(item, dict) and item.get("section") in SECTIONS
        if (
            not ok
            or item.get("decision") not in DECISIONS
            or not isinstance(item.get("fields"), dict)
        ):
            raise Refused(400, f"items.{n}: expected section, decision and fields")
        section, origin = item["section"], item.get("origin")
        if origin is None:
            posted[section]["new"].append(item)
        elif isinstance(origin, int) and 0 <= origin < len(plain.get(section) or []):
            posted[section]["edits"][origin] = item
        else:
            raise Refused(400, f"items.{n}: no {section} item {origin!r} in the draft")
    return posted


def _decided(
    section: str, seq: Any, plain: dict[str, Any], posted: dict[str, Any]
) -> tuple[list[tuple[Any, int | None]], list[str]]:
    """The section's items after the decisions: rejected ones out, edits applied in place (so a
    node keeps its comments and formatting), new ones last; with the page's id of each."""
    edits = posted[section]["edits"]
    nodes: list[tuple[Any, int | None]] = []
    ids: list[str] = []
    for origin, node in enumerate(seq or []):
        item = edits.get(origin)
        if item is not None:
            if item["decision"] == "rejected":
                continue
            names = [name for name in (*node, *item["fields"]) if name != "review"]
            _edit(node, plain[section][origin], item["fields"], names, section)
            _mark(node, item["decision"])
        nodes.append((node, origin))
        ids.append(str(item.get("id")) if item and item.get("id") else f"{section}/{origin}")
    for n, item in enumerate(posted[section]["new"]):
        if item["decision"] == "rejected":
            continue
        node = CommentedMap()
        _edit(node, {}, item["fields"], [k for k in item["fields"] if k != "review"], section)
        _mark(node, "accepted")  # an item the reviewer added is one the reviewer accepts
        nodes.append((node, None))
        ids.append(str(item.get("id") or f"{section}/new{n}"))
    return nodes, ids


def _edit(node: Any, before: dict[str, Any], fields: Any, names: Any, kind: str) -> None:
    """Set the fields among ``names`` that changed and remove those no longer given, in place:
    what did not change keeps its quoting and its comments; a field added takes its place in
    the order of the form (quote and offset last), as ingest writes them."""
    if fields is None:
        return
    if not isinstance(fields, dict):
        raise Refused(400, "fields: expected an object")
    order = [f["name"] for f in field_spec(SECTIONS.get(kind, records.DocumentMeta))]
    rank = {name: index for index, name in enumerate(order)}
    for name in list(dict.fromkeys(names)):
        if name not in fields:
            node.pop(name, None)
        elif name not in node:
            after = rank.get(name, len(order))
            place = sum(1 for key in node if rank.get(key, len(order)) <= after)
            node.insert(place, name, fields[name])
        elif before.get(name) != fields[name]:
            node[name] = fields[name]


def _mark(node: Any, decision: str | None) -> None:
    if decision == "accepted":
        node["review"] = "accepted"
    else:
        node.pop("review", None)


def _replace_seq(doc: Any, section: str, nodes: list[tuple[Any, int | None]]) -> None:
    """Put the kept nodes back as the section's list, with the comments that stood before them."""
    old = doc.get(section)
    new = CommentedSeq(node for node, _ in nodes)
    if isinstance(old, CommentedSeq):
        for index, (_, origin) in enumerate(nodes):
            if origin is not None and origin in old.ca.items:
                new.ca.items[index] = old.ca.items[origin]
        new.ca.comment = old.ca.comment
    doc[section] = new


def _first_clean(source: reading.SourceText) -> dict[int, int]:
    """For each character of the original, the first character of the clean text read from it."""
    first: dict[int, int] = {}
    for index, offset in enumerate(source.offsets[:-1]):
        first.setdefault(offset, index)
    return first


def _clean_span(first: dict[int, int], at: int, length: int) -> list[int] | None:
    """Where the original span ``[at, at+length)`` shows in the clean text, if it does."""
    found = [first[o] for o in range(at, at + length) if o in first]
    return [min(found), max(found) + 1] if found else None


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _is_draft(path: Path) -> bool:
    try:
        data, _ = yamlio.load(path)
    except InputError:
        return False
    return isinstance(data, dict) and data.get("review") == "draft"


# --- HTTP ---------------------------------------------------------------------------------


def create_app(reviewer: Reviewer) -> Any:
    """The review server as an ASGI app: the pages, their assets and the one write API."""
    environment = pages.environment()

    def refused(exc: Refused) -> Response:
        body = {"error": exc.message, "problems": exc.problems}
        return JSONResponse(body, exc.status, HEADERS)

    async def index(request: Request) -> Response:
        page = environment.get_template("review_index.html").render(drafts=reviewer.drafts())
        return HTMLResponse(page, headers=HEADERS)

    async def record_page(request: Request) -> Response:
        try:
            view = reviewer.view(request.path_params["key"])
        except Refused as exc:
            return HTMLResponse(f"<!doctype html><p>{escape(exc.message)}</p>", exc.status, HEADERS)
        view["token"] = reviewer.token
        data = pages.script_json(json.dumps(view, ensure_ascii=False, default=str))
        page = environment.get_template("review.html").render(view=view, data=data)
        return HTMLResponse(page, headers=HEADERS)

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in ASSETS:
            return Response("not found\n", 404, media_type="text/plain")
        content = (shipped("templates") / name).read_bytes()
        return Response(content, headers=HEADERS, media_type=ASSETS[name])

    async def quote(request: Request) -> Response:
        try:
            start, end = int(request.query_params["start"]), int(request.query_params["end"])
            return JSONResponse(reviewer.quote(request.path_params["key"], start, end))
        except (KeyError, ValueError):
            return refused(Refused(400, "give start and end, offsets in the text"))
        except Refused as exc:
            return refused(exc)

    async def write(request: Request) -> Response:
        try:
            reviewer.check_token(request.headers.get(TOKEN_HEADER))
            if request.headers.get("content-type", "").split(";")[0] != "application/json":
                raise Refused(415, "send the decisions as application/json")
            raw = await request.body()
            if len(raw) > MAX_BODY:
                raise Refused(413, "request too large")
            try:
                body = json.loads(raw)
            except ValueError:
                raise Refused(400, "the body is not JSON") from None
            if not isinstance(body, dict):
                raise Refused(400, "the body is not a JSON object")
            key = request.path_params["key"]
            if "promote" in body:
                return JSONResponse(reviewer.promote(key, body))
            return JSONResponse(reviewer.save(key, body))
        except Refused as exc:
            return refused(exc)

    return Starlette(
        routes=[
            Route("/", index),
            Route("/records/{key}", record_page),
            Route("/assets/{name}", asset),
            Route("/api/records/{key}/quote", quote),
            Route("/api/records/{key}", write, methods=["POST"]),
        ],
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=["127.0.0.1", "localhost"])],
    )


def run(reviewer: Reviewer, key: str | None, port: int) -> None:
    """Serve on 127.0.0.1 (a free port unless one is given) and print the address to open."""
    import uvicorn

    if key is not None:
        reviewer.view(key)  # a bad key or a missing source is said at once, not in the browser
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as exc:
        sock.close()
        raise MinekgError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from None
    address = f"http://127.0.0.1:{sock.getsockname()[1]}/" + (f"records/{key}" if key else "")
    click.echo(f"Reviewing at {address} (Ctrl+C stops)")
    config = uvicorn.Config(create_app(reviewer), log_level="warning")
    uvicorn.Server(config).run(sockets=[sock])
