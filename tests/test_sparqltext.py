"""The query text check, on random spellings: every SERVICE clause the grammar allows is refused,
and the word in a string, an IRI, a name or a comment is not."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minekg import serve, sparqltext, store

ADDRESS = "http://127.0.0.1:9/sparql"


@st.composite
def keyword(draw: st.DrawFn, word: str, escapes: bool = True) -> str:
    """The word in any case, each letter possibly written as a codepoint escape."""
    letters = []
    for letter in word:
        letter = draw(st.sampled_from([letter.upper(), letter.lower()]))
        form = draw(st.sampled_from(["plain", "plain", "u", "U"] if escapes else ["plain"]))
        letters.append(
            letter
            if form == "plain"
            else f"\\u{ord(letter):04X}"
            if form == "u"
            else f"\\U{ord(letter):08x}"
        )
    return "".join(letters)


SEPARATORS = [" ", "\n", "\t", "\r", "# note\n", "# note\r", "# note\r\n", " #\r\n "]


@st.composite
def service_queries(draw: st.DrawFn, escapes: bool = True) -> str:
    """SERVICE clauses as the grammar allows them; escapes (undone before parsing by the spec,
    only inside strings and IRIs by Oxigraph) in some."""
    escapes = escapes and draw(st.booleans())
    between = st.sampled_from(SEPARATORS)
    address, prologue = draw(
        st.sampled_from(
            [
                (f"<{ADDRESS}>", ""),
                ("<sparql>", "BASE <http://127.0.0.1:9/> "),
                ("r:x", "PREFIX r: <http://127.0.0.1:9/> "),
                (":x", "PREFIX : <http://127.0.0.1:9/> "),
                ("?e", ""),
            ]
        )
    )
    silent = draw(st.one_of(st.just(""), keyword("silent", escapes).map(lambda w: w + " ")))
    clause = f"{draw(keyword('service', escapes))}{draw(between)}{silent}{address}{draw(between)}"
    clause += "{ ?s ?p ?o }"
    before = draw(
        st.sampled_from(["", "?a ?b ?c . ", "?a ?b true ", f"VALUES ?e {{ <{ADDRESS}> }} "])
    )
    pattern = draw(
        st.sampled_from(
            [
                "{{ {} }}",
                "{{ OPTIONAL {{ {} }} }}",
                "{{ {{ SELECT * WHERE {{ {} }} }} }}",
                "{{ ?x ?y ?z FILTER EXISTS {{ {} }} }}",
                "{{ {{ {} }} UNION {{ ?x ?y ?z }} }}",
                "{{ ?x ?y ?z MINUS {{ {} }} }}",
                "{{ GRAPH ?g {{ {} }} }}",
            ]
        )
    ).format(before + clause)
    forms = ["SELECT * WHERE ", "ASK ", "CONSTRUCT { ?s ?p ?o } WHERE ", "DESCRIBE ?s "]
    form = draw(st.sampled_from(forms))
    return prologue + form + pattern


@settings(max_examples=400, deadline=None)
@given(service_queries())
def test_every_spelling_of_a_service_clause_is_refused(query: str) -> None:
    with pytest.raises(serve.QueryRefused) as refused:
        serve.check_query(query)
    assert refused.value.status == 403


def _engine(requests: Any, replies: Any) -> None:
    assert serve.isolate_network() is None
    dataset = store.of_nquads(b"<http://a> <http://b> <http://c> .\n")
    while (query := requests.get()) is not None:
        try:
            result = dataset.query(query)
            replies.put("answered" if isinstance(result, ox.QueryBoolean) or list(result) else "")
        except SyntaxError as exc:
            replies.put(f"syntax error: {exc}")
        except (OSError, RuntimeError) as exc:
            replies.put(f"called out: {exc}")


@pytest.fixture(scope="module")
def oxigraph() -> Iterator[Callable[[str], str]]:
    """Oxigraph in a process cut off from the network: what it makes of a query."""
    context = multiprocessing.get_context("spawn")
    requests, replies = context.Queue(), context.Queue()
    process = context.Process(target=_engine, args=(requests, replies), daemon=True)
    process.start()
    yield lambda query: (requests.put(query), replies.get(timeout=30))[1]
    requests.put(None)
    process.join(timeout=30)


@settings(max_examples=100, deadline=None)
@given(service_queries(escapes=False))
def test_the_spellings_are_queries_the_engine_runs(
    oxigraph: Callable[[str], str], query: str
) -> None:
    """The generator is not vacuous: Oxigraph parses every spelling it makes (without escapes)
    and runs it, calling out where it can (here the network is gone)."""
    assert not oxigraph(query).startswith("syntax error"), query


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(
        [
            'SELECT * WHERE {{ ?s ?p "{w}" }}',
            "SELECT * WHERE {{ ?s ?p '''{w}\n{w} <x> {{}}''' }}",
            "SELECT * WHERE {{ ?s <http://example.org/{w}> ?o }}",
            "SELECT ?{w} WHERE {{ ?s ?p ?{w} }}",
            "PREFIX ex: <http://example.org/> SELECT * WHERE {{ ?s ex:{w} ?o }}",
            "SELECT * WHERE {{ ?s ?p ?o }} # {w} <http://example.org/> {{ }}\n",
            'SELECT * WHERE {{ ?s ?p "Mine Action {w}" . ?s a <http://schema.org/{w}> }}',
        ]
    ),
    keyword("service"),
)
def test_the_word_as_data_or_a_name_is_not_a_service_clause(template: str, word: str) -> None:
    query = template.format(w=word.replace("\\", ""))  # escapes outside strings spell code
    serve.check_query(query)


def test_nesting_is_measured_in_code_only() -> None:
    assert sparqltext.nesting_depth("SELECT * WHERE { ?s ?p ?o }") == 1
    assert sparqltext.nesting_depth('SELECT * { FILTER("((((" = ?x) } # ((((\n') == 2
    deep = "SELECT * WHERE " + "{" * 5000 + "}" * 5000
    with pytest.raises(serve.QueryRefused, match="nested 5000 deep"):
        serve.check_query(deep)


@pytest.mark.parametrize(
    ("query", "names_dataset"),
    [
        ("SELECT * FROM <g> WHERE { ?s ?p ?o }", True),
        ("select * from named <g> { graph ?g { ?s ?p ?o } }", True),
        ("SELECT * #\rFROM <g>\nWHERE { ?s ?p ?o }", True),
        ("SELECT * # FROM <g>\nWHERE { ?s ?p ?o }", False),
        ("SELECT ?from WHERE { ?from <http://x/from> 'FROM' }", False),
        ("PREFIX ex: <http://x/> SELECT * WHERE { ex:from ex:p ?o }", False),
        ("SELECT * WHERE { ?s ?p ?o }", False),
    ],
)
def test_a_dataset_clause_is_found_only_in_the_code(query: str, names_dataset: bool) -> None:
    assert sparqltext.has_dataset_clause(query) is names_dataset
