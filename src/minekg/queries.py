"""Named queries: the questions analysts ask of the graph, kept as SPARQL files in ``queries/``.

Each ``queries/NAME.rq`` opens with comments that state its question and its parameters::

    # Question: Which customary IHL rules are invoked, in which documents, by whom and against whom?
    # Parameters: ?doc (document, optional) only the claims of this document

so that ``minekg query --list`` and the README can say what each one answers. Values a user gives
for parameters are bound as RDF terms (Oxigraph's ``substitutions``, rdflib's ``initBindings``),
never spliced into the query text. Queries run on Oxigraph with the union of the named graphs as
the default graph, and rdflib gives the same answers on the same data (tests/test_queries.py).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox
from rdflib import Dataset, URIRef
from rdflib.query import Result

from minekg.errors import MinekgError, SetupError
from minekg.project import QUERIES
from minekg.vocab import expand, shorten

if TYPE_CHECKING:
    import httpx

FORMATS = ("table", "csv", "tsv", "json", "xml", "ttl", "nt", "jsonld")
GRAPH_FORMATS = {
    "table": ox.RdfFormat.TURTLE,
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}
RESULTS_JSON = "application/sparql-results+json"


class MalformedQuery(SetupError):
    """The query text does not parse: nothing was asked (exit code 2, unlike an unknown name)."""


# Where the short form of a parameter value lives, by the kind its header declares: a path
# under the base for resources, a prefix for terms of the vocabulary (which has no base).
KIND_PATHS = {
    "document": "id/document/",
    "event": "id/event/",
    "state": "id/state/",
    "entity": "id/",
}
KIND_PREFIXES = {"measure": "measure:", "class": "mkg:"}

_PARAMETER = re.compile(r"\?(\w+) \((\w+), (required|optional)\)\s*(.*)")


@dataclass(frozen=True)
class Parameter:
    name: str
    kind: str
    required: bool
    description: str


@dataclass(frozen=True)
class NamedQuery:
    name: str
    question: str
    parameters: tuple[Parameter, ...]
    text: str

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)


def parse(name: str, text: str) -> NamedQuery:
    """A query with the question and parameters its opening comments declare."""
    question = ""
    parameters: list[Parameter] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        comment = line.lstrip("#").strip()
        if comment.startswith("Question:"):
            question = comment.removeprefix("Question:").strip()
        elif comment.startswith("Parameters:"):
            declared = _PARAMETER.fullmatch(comment.removeprefix("Parameters:").strip())
            if declared is None:
                raise MinekgError(
                    f"{name}: cannot read '{line}' (expected '# Parameters: ?name (kind, "
                    "required|optional) description')"
                )
            var, kind, need, description = declared.groups()
            if kind not in KIND_PATHS and kind not in KIND_PREFIXES:
                raise MinekgError(f"{name}: parameter ?{var} has unknown kind '{kind}'")
            parameters.append(Parameter(var, kind, need == "required", description))
    return NamedQuery(name, question, tuple(parameters), text)


def available(folders: Sequence[Path] = (QUERIES,)) -> dict[str, NamedQuery]:
    """Every named query of the folders, by name: a later folder's query replaces an earlier's.

    The queries minekg ships come first; a project's own ``queries/`` may add or override.
    """
    found: dict[str, NamedQuery] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.rq")) if folder.is_dir() else []:
            found[path.stem] = parse(path.stem, path.read_text(encoding="utf-8"))
    if not found:
        raise SetupError(f"no named queries in {', '.join(map(str, folders))}")
    return dict(sorted(found.items()))


def load(name_or_file: str, folders: Sequence[Path] = (QUERIES,)) -> NamedQuery:
    """A named query by its name, or a query file given by its path."""
    path = Path(name_or_file)
    if path.suffix == ".rq" and path.is_file():
        return parse(path.stem, path.read_text(encoding="utf-8"))
    queries = available(folders)
    if name_or_file not in queries:
        raise MinekgError(
            f"no query named '{name_or_file}' (and no such .rq file); "
            f"named queries: {', '.join(queries)}"
        )
    return queries[name_or_file]


def parse_params(params: Sequence[str]) -> dict[str, str]:
    """``--param KEY=VALUE`` options as a mapping; each key once."""
    values: dict[str, str] = {}
    for param in params:
        key, sep, value = param.partition("=")
        key = key.strip().lstrip("?")
        if not sep or not key or not value.strip():
            raise MinekgError(f"--param {param}: expected KEY=VALUE, e.g. doc=A-79-690")
        if key in values:
            raise MinekgError(f"--param {key} given twice")
        values[key] = value
    return values


def resolve(query: NamedQuery, values: Mapping[str, str], base: str | None) -> dict[str, str]:
    """The IRIs the given parameter values stand for, short forms expanded by parameter kind.

    ``doc=A-79-690`` becomes ``<{base}id/document/A-79-690>`` under the base the graph was built
    with; a full IRI is taken as it is. A graph without a base (not built by minekg) takes
    full IRIs only.
    """
    for name in values:
        if query.parameter(name) is None:
            takes = ", ".join(f"{p.name}" for p in query.parameters) or "no parameters"
            raise MinekgError(f"query {query.name} has no parameter '{name}' (it takes: {takes})")
    bound = {}
    for parameter in query.parameters:
        value = values.get(parameter.name)
        if value is None:
            if parameter.required:
                raise MinekgError(
                    f"query {query.name} needs --param {parameter.name}=VALUE "
                    f"({parameter.description})"
                )
            continue
        bound[parameter.name] = _iri(parameter, value.strip(), base)
    return bound


def _iri(parameter: Parameter, value: str, base: str | None) -> str:
    prefix = KIND_PREFIXES.get(parameter.kind)
    if prefix is not None and "://" not in value:
        value = prefix + value.removeprefix(prefix)
    elif base is None and "://" not in value and not value.startswith("urn:"):
        raise MinekgError(
            f"--param {parameter.name}={value}: this graph was not built by minekg (it has no "
            "provenance graph), so give a full IRI"
        )
    iri = expand(value, base or "", KIND_PATHS.get(parameter.kind, "id/"))
    try:
        ox.NamedNode(iri)
    except ValueError as exc:
        raise MinekgError(f"--param {parameter.name}={value}: not an IRI ({exc})") from None
    return iri


def check_bound(store: ox.Store, bindings: Mapping[str, str], where: Path) -> None:
    """A parameter naming nothing in the graph is a typo, not a question with no answer."""
    for key, iri in bindings.items():
        node = ox.NamedNode(iri)
        if not any(store.quads_for_pattern(node, None, None, None)) and not any(
            store.quads_for_pattern(None, None, node, None)
        ):
            raise MinekgError(f"--param {key}: <{iri}> is not in the graph {where}")


@dataclass(frozen=True)
class Answer:
    """What a query answers: the variables and rows of a SELECT (``None`` where unbound), the
    truth of an ASK (``boolean``) or the graph of a CONSTRUCT or DESCRIBE (``triples``)."""

    variables: tuple[str, ...]
    rows: tuple[tuple[ox.NamedNode | ox.BlankNode | ox.Literal | None, ...], ...]
    boolean: bool | None = None
    triples: tuple[ox.Triple, ...] | None = None


def run(store: ox.Store, query: NamedQuery, bindings: Mapping[str, str]) -> Answer:
    """Run on Oxigraph, the named graphs' union being the default graph unless the query names
    its own dataset (``FROM``).

    A query nested too deep is refused before Oxigraph parses it: 5,000 nested groups overflow
    its stack and kill the process without a word.
    """
    from minekg import sparqltext

    depth = sparqltext.nesting_depth(query.text)
    if depth > sparqltext.MAX_DEPTH:
        raise MalformedQuery(
            f"query {query.name}: nested {depth} deep: at most {sparqltext.MAX_DEPTH} levels of "
            "brackets"
        )
    try:
        result = store.query(
            query.text,
            use_default_graph_as_union=not sparqltext.has_dataset_clause(query.text),
            substitutions={ox.Variable(k): ox.NamedNode(v) for k, v in bindings.items()},
        )
    except SyntaxError as exc:
        raise MalformedQuery(f"query {query.name}: {exc}") from None
    except RuntimeError as exc:
        raise MinekgError(f"query {query.name}: {exc}") from None
    return _answer(result)


def _answer(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> Answer:
    if isinstance(result, ox.QueryBoolean):
        return Answer((), (), boolean=bool(result))
    if isinstance(result, ox.QueryTriples):
        return Answer((), (), triples=tuple(result))
    variables = tuple(v.value for v in result.variables)
    return Answer(variables, tuple(tuple(row) for row in result))  # type: ignore[misc]


def run_remote(
    endpoint: str, query: NamedQuery, bindings: Mapping[str, str], client: httpx.Client
) -> Answer:
    """Run on another SPARQL endpoint (SPARQL 1.1 Protocol), its default graph its own.

    Parameters become a trailing ``VALUES`` clause: a standard way to bind what Oxigraph's
    substitutions bind here, since every parameter of a named query is a projected variable.
    """
    text = query.text
    if bindings:
        names = " ".join(f"?{name}" for name in bindings)
        values = " ".join(f"<{iri}>" for iri in bindings.values())
        text += f"\nVALUES ({names}) {{ ({values}) }}\n"
    import httpx

    accept = f"{RESULTS_JSON}, application/n-triples;q=0.9"
    try:
        response = client.post(endpoint, data={"query": text}, headers={"Accept": accept})
    except httpx.HTTPError as exc:
        raise MinekgError(f"{endpoint}: {type(exc).__name__}: {exc or 'no answer'}") from None
    if response.status_code != 200:
        body = " ".join(re.sub(r"<[^>]+>", " ", response.text).split())[:300]
        raise MinekgError(f"{endpoint}: query {query.name} answered {response.status_code}: {body}")
    media_type = response.headers.get("content-type", "").split(";")[0].strip()
    try:
        if media_type in ("application/n-triples", "text/turtle"):
            fmt = ox.RdfFormat.from_media_type(media_type)
            return Answer((), (), triples=tuple(ox.parse(response.content, format=fmt)))
        parsed = ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
    except (SyntaxError, ValueError) as exc:
        raise MinekgError(f"{endpoint}: not a SPARQL result ({media_type}): {exc}") from None
    return _answer(parsed)


def run_rdflib(dataset: Dataset, query: NamedQuery, bindings: Mapping[str, str]) -> Result:
    """Run with rdflib's engine, for comparison; ``dataset`` must have ``default_union=True``."""
    return dataset.query(query.text, initBindings={k: URIRef(v) for k, v in bindings.items()})


def render(answer: Answer, fmt: str) -> str:
    """The answer as SPARQL 1.1 results (CSV, TSV, JSON, XML) or, for a graph, as RDF."""
    if answer.triples is not None:
        if fmt not in GRAPH_FORMATS:
            raise MinekgError(f"the answer is a graph: use --format {', '.join(GRAPH_FORMATS)}")
        triples = sorted(answer.triples, key=str)  # the same graph always written the same
        written = ox.serialize(triples, format=GRAPH_FORMATS[fmt], prefixes=_PREFIXES)
        return (written or b"").decode()
    if fmt in ("ttl", "nt", "jsonld"):
        raise MinekgError(
            f"--format {fmt} is for CONSTRUCT and DESCRIBE; use csv, tsv, json or xml"
        )
    if answer.boolean is not None:
        truth = "true" if answer.boolean else "false"
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": answer.boolean}) + "\n"
        if fmt == "xml":
            return f"{_XML_HEAD}<head/><boolean>{truth}</boolean></sparql>\n"
        return truth + "\n"
    if fmt == "csv":
        return _csv(answer)
    if fmt == "tsv":
        lines = ["\t".join(f"?{v}" for v in answer.variables)]
        lines += ["\t".join("" if t is None else str(t) for t in row) for row in answer.rows]
        return "\n".join(lines) + "\n"
    if fmt == "json":
        return _json(answer)
    if fmt == "xml":
        return _xml(answer)
    raise MinekgError(f"unknown format '{fmt}' (use {', '.join(FORMATS)})")


_XML_HEAD = '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
_PREFIXES = {
    "mkg": "https://w3id.org/minekg/ontology#",
    "measure": "https://w3id.org/minekg/measure/",
}


def _xml(answer: Answer) -> str:
    """SPARQL 1.1 Query Results XML Format."""
    lines = [_XML_HEAD, "<head>"]
    lines += [f'<variable name="{name}"/>' for name in answer.variables]
    lines += ["</head>", "<results>"]
    for row in answer.rows:
        lines.append("<result>")
        for name, term in zip(answer.variables, row, strict=True):
            if term is None:
                continue
            if isinstance(term, ox.NamedNode):
                value = f"<uri>{escape(term.value)}</uri>"
            elif isinstance(term, ox.BlankNode):
                value = f"<bnode>{escape(term.value)}</bnode>"
            elif term.language:
                value = (
                    f'<literal xml:lang="{escape(term.language)}">{escape(term.value)}</literal>'
                )
            else:
                datatype = quoteattr(term.datatype.value)
                value = f"<literal datatype={datatype}>{escape(term.value)}</literal>"
            lines.append(f'<binding name="{name}">{value}</binding>')
        lines.append("</result>")
    lines += ["</results>", "</sparql>"]
    return "\n".join(lines) + "\n"


def _csv(answer: Answer) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(answer.variables)
    for row in answer.rows:
        writer.writerow(["" if term is None else term.value for term in row])
    return out.getvalue()


def _json(answer: Answer) -> str:
    def term(t: ox.NamedNode | ox.BlankNode | ox.Literal) -> dict[str, str]:
        if isinstance(t, ox.NamedNode):
            return {"type": "uri", "value": t.value}
        if isinstance(t, ox.BlankNode):
            return {"type": "bnode", "value": t.value}
        value = {"type": "literal", "value": t.value}
        if t.language:
            value["xml:lang"] = t.language
        elif t.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            value["datatype"] = t.datatype.value
        return value

    bindings = [
        {name: term(t) for name, t in zip(answer.variables, row, strict=True) if t is not None}
        for row in answer.rows
    ]
    document = {"head": {"vars": list(answer.variables)}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def short(term: ox.NamedNode | ox.BlankNode | ox.Literal | None, base: str | None) -> str:
    """A term as a person reads it: IRIs of the graph without their base, literals as text."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return shorten(term.value, base)
    return term.value


def ask(
    name: str,
    params: Sequence[str],
    folders: Sequence[Path],
    graph: Path | None,
    endpoint: str | None,
    base: str,
) -> tuple[Answer, str | None]:
    """``minekg query``: a named query, a .rq file or ``-`` (standard input), with its
    parameters, on the built graph or on ``endpoint``; the answer, and the base it was asked
    under (for shortening IRIs)."""
    import sys

    from minekg import store

    named = parse("stdin", sys.stdin.read()) if name == "-" else load(name, folders)
    values = parse_params(params)
    if endpoint is not None:
        import httpx

        with httpx.Client(timeout=120) as client:
            return run_remote(endpoint, named, resolve(named, values, base), client), base
    assert graph is not None
    built = store.open_graph(graph)
    bindings = resolve(named, values, built.base)
    check_bound(built.store, bindings, built.path)
    return run(built.store, named, bindings), built.base
