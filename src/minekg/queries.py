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

import pyoxigraph as ox
from rdflib import Dataset, URIRef
from rdflib.query import Result

from minekg.errors import MinekgError, SetupError
from minekg.project import QUERIES
from minekg.vocab import expand, shorten

FORMATS = ("table", "csv", "tsv", "json")

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
    """The variables and rows of a SELECT query; ``None`` where a variable is unbound."""

    variables: tuple[str, ...]
    rows: tuple[tuple[ox.NamedNode | ox.BlankNode | ox.Literal | None, ...], ...]


def run(store: ox.Store, query: NamedQuery, bindings: Mapping[str, str]) -> Answer:
    """Run on Oxigraph, the named graphs' union being the default graph."""
    try:
        solutions = store.query(
            query.text,
            use_default_graph_as_union=True,
            substitutions={ox.Variable(k): ox.NamedNode(v) for k, v in bindings.items()},
        )
    except (SyntaxError, RuntimeError) as exc:
        raise MinekgError(f"query {query.name}: {exc}") from None
    if not isinstance(solutions, ox.QuerySolutions):
        raise MinekgError(f"query {query.name}: only SELECT queries can be run")
    variables = tuple(v.value for v in solutions.variables)
    return Answer(variables, tuple(tuple(row) for row in solutions))


def run_rdflib(dataset: Dataset, query: NamedQuery, bindings: Mapping[str, str]) -> Result:
    """Run with rdflib's engine, for comparison; ``dataset`` must have ``default_union=True``."""
    return dataset.query(query.text, initBindings={k: URIRef(v) for k, v in bindings.items()})


def render(answer: Answer, fmt: str) -> str:
    """The answer as SPARQL 1.1 CSV, TSV or JSON results (``table`` gives a rich Table)."""
    if fmt == "csv":
        return _csv(answer)
    if fmt == "tsv":
        lines = ["\t".join(f"?{v}" for v in answer.variables)]
        lines += ["\t".join("" if t is None else str(t) for t in row) for row in answer.rows]
        return "\n".join(lines) + "\n"
    if fmt == "json":
        return _json(answer)
    raise MinekgError(f"unknown format '{fmt}' (use {', '.join(FORMATS)})")


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
